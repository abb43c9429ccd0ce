# صفحهٔ گفت‌وگو (templates/chat.html و web/chat/*.js).
# همهٔ شناسه‌ها با «chat-» آغاز می‌شوند و باید با en-US/chat.ftl یکی باشند.
# پیام‌هایی که خود قالب به کار می‌برد متغیر ندارند.

## پوستهٔ صفحه
chat-sidebar-toggle = اتاق‌ها
chat-sidebar-label = اتاق‌ها و گفت‌وگوها
chat-search-label = جست‌وجو در پیام‌ها
chat-search-placeholder = جست‌وجو در پیام‌ها
chat-search-this-room = فقط همین اتاق
chat-search-results = نتیجه‌های جست‌وجو
chat-account-menu = حساب کاربری
chat-settings-link = تنظیمات
chat-admin-link = مدیریت
chat-logout-button = خروج
chat-create-room-button = اتاق تازه
chat-join-room-button = پیوستن به اتاق
chat-rooms-heading = اتاق‌ها
chat-direct-heading = پیام‌های خصوصی
chat-new-dm-button = پیام خصوصی تازه
chat-empty-title = به انجمن خوش آمدید
chat-empty-body = از کنار صفحه اتاقی را برگزینید، اتاق تازه‌ای بسازید یا با کد دعوت به اتاقی بپیوندید.
chat-invite-button = دعوت
chat-members-toggle = اعضا
chat-leave-button = ترک اتاق
chat-timeline-label-plain = پیام‌ها
chat-timeline-label = پیام‌های { $room }
chat-jump-latest = رفتن به تازه‌ترین پیام
chat-drop-files = پرونده‌ها را اینجا رها کنید تا در این اتاق هم‌رسانی شوند
chat-members-heading-plain = اعضا
chat-composer-label = نوشتن پیام
chat-composer-placeholder-plain = پیامی بنویسید…
chat-composer-placeholder = پیام به { $room }
chat-composer-hint = Enter برای فرستادن، Shift+Enter برای رفتن به خط بعد
chat-uploads-label = پرونده‌های آمادهٔ فرستادن
chat-attach-button = پیوست پرونده
chat-poll-button = ساخت نظرسنجی
chat-send-button = ارسال
chat-schedule-button = زمان‌بندی
chat-schedule-title = زمان‌بندی پیام
chat-schedule-body = پیام
chat-schedule-when = زمان ارسال (به وقت محلی شما)
chat-schedule-when-missing = تاریخ و ساعت را برگزینید.
chat-schedule-submit = زمان‌بندی
chat-schedule-done = برای { $time } زمان‌بندی شد.
chat-scheduled-title = زمان‌بندی‌شده‌ها
chat-scheduled-empty = پیامی زمان‌بندی نشده است.
chat-scheduled-send-now = همین حالا بفرست
chat-scheduled-edit = ویرایش
chat-scheduled-cancel = لغو
chat-scheduled-sent = فرستاده شد.
chat-scheduled-failed = فرستاده نشد

## اتصال
chat-status-connecting = در حال اتصال…
chat-status-connected = متصل
chat-status-reconnecting = در حال اتصال دوباره…
chat-status-offline = قطع — دوباره تلاش می‌کنیم

## عمومی
chat-cancel = انصراف
chat-close = بستن
chat-save = ذخیره
chat-loading = در حال بارگذاری…
chat-confirm-title = مطمئن هستید؟
chat-unknown-user = حساب حذف‌شده
chat-error-generic = مشکلی پیش آمد. لطفاً دوباره تلاش کنید.
chat-error-network = دسترسی به سرور ممکن نیست. اتصال اینترنت خود را بررسی کنید.
chat-error-offline = اتصال شما برقرار نیست. پس از وصل شدن دوباره تلاش کنید.
chat-error-timeout = سرور به‌موقع پاسخ نداد. لطفاً دوباره تلاش کنید.
chat-error-connection-lost = اتصال پیش از پاسخ سرور قطع شد. بررسی کنید که کار انجام شده است یا نه.

## فهرست اتاق‌ها
chat-no-rooms = هنوز در هیچ اتاقی نیستید.
chat-no-dms = هنوز گفت‌وگوی خصوصی‌ای ندارید.
chat-room-no-messages = هنوز پیامی نیست
chat-unread-count = { $count } پیام خوانده‌نشده
chat-mentions-count = { $count } بار از شما نام برده شده
chat-preview-poll = نظرسنجی: { $question }
chat-preview-files = { $count ->
    [one] یک پرونده هم‌رسانی کرد
   *[other] { $count } پرونده هم‌رسانی کرد
}

## ساختن و پیوستن
chat-create-room-title = ساختن اتاق
chat-create-room-submit = ساختن اتاق
chat-room-name = نام
chat-room-topic = موضوع (اختیاری)
chat-room-name-required = برای اتاق نامی بنویسید.
chat-room-visibility = چه کسانی می‌توانند بپیوندند
chat-room-public = عمومی
chat-room-public-hint = در فهرست دیده می‌شود و هر کسی می‌تواند بپیوندد.
chat-room-private = خصوصی
chat-room-private-hint = فقط کسانی که کد دعوت دارند می‌توانند بپیوندند.
chat-join-title = پیوستن به اتاق
chat-join-code = کد دعوت
chat-join-code-hint = کد را از یکی از اعضای اتاق بگیرید.
chat-join-code-required = کد دعوت را وارد کنید.
chat-join-submit = پیوستن با کد
chat-public-rooms = اتاق‌های عمومی
chat-no-public-rooms = هنوز اتاق عمومی‌ای ساخته نشده است.
chat-join-button = پیوستن
chat-open-room = باز کردن
chat-dm-title = پیام خصوصی تازه
chat-dm-search = پیدا کردن افراد
chat-dm-search-hint = آغاز نام کاربری را بنویسید.
chat-no-users = کسی پیدا نشد.
chat-dm-with = پیام به { $name }

## سرصفحهٔ اتاق
chat-member-count = { $count } عضو
chat-room-locked-badge = فقط خواندنی
chat-room-locked = این اتاق فقط خواندنی است.
chat-invite-title = دعوت به { $room }
chat-invite-hint = این کد را به دیگران بدهید؛ هر کس آن را داشته باشد می‌تواند به اتاق بپیوندد.
chat-invite-copy = رونوشت
chat-invite-copied = کد دعوت رونوشت شد.
chat-invite-rotate = کد تازه
chat-leave-confirm = از { $room } بیرون می‌روید؟ اگر اتاق عمومی باشد یا کد دعوت داشته باشید، می‌توانید برگردید.
chat-kicked = شما را از { $room } بیرون کردند.

## پیام‌ها
chat-room-start = این آغاز { $room } است.
chat-room-empty = هنوز پیامی نیست. سلام کنید!
chat-edited = (ویرایش‌شده)
chat-half-space-button = درج نیم‌فاصله (Shift+فاصله)
chat-message-deleted = این پیام پاک شد.
chat-reply-unavailable = پیام اصلی بارگذاری نشده است
chat-reply-jump = نمایش پیام اصلی
chat-message-actions = کارهای پیام
chat-react-button = افزودن واکنش
chat-react-with = واکنش با { $emoji }
chat-reaction-by = از { $names }
chat-reaction-label = { $count ->
    [one] { $emoji } از { $names }
   *[other] { $emoji } از { $count } نفر: { $names }
}
chat-reply-button = پاسخ
chat-edit-button = ویرایش
chat-edit-label = ویرایش پیام
chat-edit-hint = Enter برای ذخیره، Escape برای انصراف
chat-delete-button = پاک کردن
chat-delete-confirm = این پیام پاک شود؟ این کار برگشت‌پذیر نیست.
chat-embed-remove = برداشتن پیش‌نمایش این پیوند
chat-report-button = گزارش
chat-report-title = گزارش این پیام
chat-report-reason = چرا؟ ناظران این را می‌خوانند.
chat-report-submit = فرستادن گزارش
chat-report-sent = سپاس. ناظران بررسی‌اش می‌کنند.
chat-pin-button = سنجاق
chat-unpin-button = برداشتن سنجاق
chat-save-button = نگه‌داشتن
chat-unsave-button = برداشتن از نگه‌داشته‌ها
chat-pinned = پیام سنجاق شد.
chat-unpinned = سنجاق پیام برداشته شد.
chat-pins-button = پیام‌های سنجاق‌شده
chat-pins-title = سنجاق‌شده‌ها در { $room }
chat-pins-empty = هنوز پیامی در این اتاق سنجاق نشده است.
chat-pinned-by = سنجاق‌شده به دست { $name }
chat-jump-to-message = رفتن به پیام
chat-save-title = نگه‌داشتن این پیام
chat-save-note = یادداشت (اختیاری)
chat-save-note-hint = پیام‌های نگه‌داشته و یادداشت‌هایتان را فقط خودتان می‌بینید.
chat-save-submit = نگه‌داشتن
chat-saved-done = نگه داشته شد.
chat-unsaved = از پیام‌های نگه‌داشته برداشته شد.
chat-saved-button = پیام‌های نگه‌داشته
chat-saved-title = پیام‌های نگه‌داشته
chat-saved-empty = هنوز پیامی نگه نداشته‌اید.
chat-saved-unavailable = این پیام دیگر برای شما در دسترس نیست.
chat-forward-button = هدایت
chat-forward-title = هدایت این پیام
chat-forward-filter = جست‌وجوی اتاق یا شخص
chat-forward-to = هدایت به
chat-forward-none = هیچ اتاق یا گفت‌وگویی پیدا نشد.
chat-forward-comment = افزودن توضیح (اختیاری)
chat-forward-submit = هدایت
chat-forward-pick = انتخاب کنید پیام به کجا هدایت شود.
chat-forward-sent = هدایت شد.
chat-forwarded-from = هدایت‌شده از { $room } · { $author }
chat-forwarded-direct = یک گفت‌وگوی خصوصی
chat-forwarded-jump = رفتن به پیام اصلی:
chat-mention-toast = { $name } در { $room } از شما نام برد

## نوشتن پیام
chat-replying-to = در پاسخ به
chat-reply-cancel = لغو پاسخ
chat-message-too-long = پیام حداکثر { $max } نویسه می‌تواند باشد.
chat-typing-one = { $name } در حال نوشتن است…
chat-typing-two = { $first } و { $second } در حال نوشتن هستند…
chat-typing-several = { $count } نفر در حال نوشتن هستند…

## پرونده‌ها
chat-file-too-large = { $name } بیش از اندازه بزرگ است؛ اندازهٔ پرونده حداکثر { $max } می‌تواند باشد.
chat-file-empty = { $name } خالی است.
chat-file-type-not-allowed = { $name } را نمی‌توان هم‌رسانی کرد؛ گونه‌های مجاز: { $types }.
chat-upload-progress = در حال بارگذاری { $name }
chat-upload-remove = برداشتن { $name }
chat-upload-failed = { $name } بارگذاری نشد: { $reason }
chat-upload-cancelled = بارگذاری لغو شد.
chat-upload-wait = کمی صبر کنید تا بارگذاری پرونده‌ها تمام شود.

## نظرسنجی
chat-poll-create-title = نظرسنجی تازه
chat-poll-create = ساختن نظرسنجی
chat-poll-question = پرسش
chat-poll-options = گزینه‌ها
chat-poll-option-label = گزینهٔ { $number }
chat-poll-option-placeholder = گزینهٔ { $number }
chat-poll-add-option = افزودن گزینه
chat-poll-remove-option = برداشتن این گزینه
chat-poll-multiple-label = بتوان چند گزینه را برگزید
chat-poll-anonymous-label = رأی هر کس پنهان بماند
chat-poll-question-required = پرسش را بنویسید.
chat-poll-options-required = دست‌کم { $count } گزینه بنویسید.
chat-poll-single = تک‌گزینه‌ای
chat-poll-multiple = چندگزینه‌ای
chat-poll-anonymous = بی‌نام
chat-poll-closed = بسته شده
chat-poll-closes = پایان: { $time }
chat-poll-close = بستن نظرسنجی
chat-poll-votes = { $count } رأی
chat-poll-voters = { $count } نفر رأی دادند
chat-poll-max-choices = حداکثر { $count } گزینه را می‌توانید برگزینید.

## اعضا
chat-members-heading = { $count } عضو
chat-members-online = { $count } نفر آنلاین
chat-presence-online = آنلاین
chat-presence-away = غایب
chat-presence-offline = آفلاین
chat-role-owner = مالک
chat-role-moderator = ناظر

## جست‌وجو
chat-searching = در حال جست‌وجو…
chat-search-count = { $count } نتیجه
chat-search-empty = چیزی برای «{ $query }» پیدا نشد.
chat-search-more = نتیجه‌های بیشتر
chat-viewer-label = تصویر
chat-viewer-position = { $index } از { $count }
chat-viewer-previous = تصویر قبلی
chat-viewer-next = تصویر بعدی
chat-viewer-download = بارگیری
chat-show-more = بیشتر
chat-show-less = کمتر
chat-rooms-failed = فهرست اتاق‌هایتان بار نشد.
chat-retry = دوباره تلاش کنید

# Profile card (a click on a name).
chat-profile-open = نمایهٔ { $name }
chat-profile-message = پیام
chat-profile-edit = ویرایش نمایه
chat-profile-local-time = ساعت محلی
chat-profile-room-role = در این اتاق
chat-profile-muted = بی‌صدا تا
chat-profile-same-time = هم‌زمان با شما
chat-profile-hours = { $hours } ساعت
chat-profile-hours-minutes = { $hours } ساعت و { $minutes } دقیقه
chat-profile-ahead = { $amount } جلوتر از شما
chat-profile-behind = { $amount } عقب‌تر از شما
chat-mute-button = بی‌صدا کردن
chat-unmute-button = برداشتن بی‌صدایی
chat-mute-title = بی‌صدا کردن { $name }
chat-mute-hint = همچنان می‌تواند این اتاق را بخواند، اما نمی‌تواند بنویسد، واکنش نشان دهد، رأی دهد یا فایل بفرستد.
chat-mute-duration = تا چه مدت
chat-mute-10m = ۱۰ دقیقه
chat-mute-1h = ۱ ساعت
chat-mute-1d = ۱ روز
chat-mute-1w = ۱ هفته
chat-muted-toast = { $name } بی‌صدا شد.
chat-unmuted-toast = { $name } دوباره می‌تواند بنویسد.
chat-kick-button = بیرون کردن از اتاق
chat-kick-confirm = { $name } از { $room } بیرون شود؟ مثل هر کس دیگری می‌تواند دوباره بپیوندد.
chat-kicked-toast = { $name } از اتاق بیرون شد.
chat-ban-button = مسدود کردن
chat-ban-confirm = { $name } از کل سایت مسدود شود؟ همهٔ نشست‌هایش همین حالا پایان می‌یابد.
chat-banned-toast = { $name } مسدود شد.
chat-member-muted = بی‌صدا

# Room settings.
chat-room-settings-button = تنظیمات اتاق
chat-room-settings = تنظیمات اتاق
chat-room-about = دربارهٔ این اتاق
chat-settings-title = تنظیمات { $room }
chat-about-title = دربارهٔ { $room }
chat-settings-no-topic = این اتاق موضوعی ندارد.
chat-settings-save = ذخیرهٔ تغییرات
chat-settings-saved = تنظیمات اتاق ذخیره شد.
chat-settings-lock = فقط خواندنی: تنها ناظران می‌توانند بنویسند
chat-settings-members-can-pin = اعضا هم بتوانند پیام سنجاق کنند (ناظران همیشه می‌توانند)
chat-settings-retention = نگه‌داری پیام‌ها
chat-settings-retention-hint = پیام‌های قدیمی‌تر برای همیشه پاک می‌شوند.
chat-retention-forever = برای همیشه
chat-retention-days = { $days } روز
chat-settings-invite = دعوت
chat-settings-invite-link-hint = هر کس این پیوند را داشته باشد می‌تواند به اتاق بپیوندد.
chat-invite-copy-link = رونوشت پیوند
chat-invite-rotated = کد دعوت تازه ساخته شد؛ کد قبلی دیگر کار نمی‌کند.
chat-settings-members = اعضا
chat-settings-danger = ترک یا حذف
chat-leave-confirm-owner = از { $room } بیرون می‌روید؟ شما تنها مالک آن هستید: دیگر کسی نمی‌تواند آن را حذف کند یا تعیین کند چه کسی بپیوندد.
chat-delete-room-button = حذف اتاق
chat-delete-room-title = { $room } حذف شود؟
chat-delete-room-warning = همهٔ پیام‌ها، فایل‌ها و نظرسنجی‌های آن برای همه و برای همیشه پاک می‌شود.
chat-delete-room-type = برای تأیید، نام اتاق، { $room }، را بنویسید
chat-delete-room-mismatch = این نام اتاق نیست.
chat-room-deleted-by-me = { $room } حذف شد.
chat-room-deleted = { $room } را مالکش حذف کرد.

## خوانده‌نشده‌ها: جداکننده، دکمهٔ رفتن به پایین و اعلان‌های نام‌بردن
chat-unread-divider = پیام‌های تازه
chat-jump-new = { $count } پیام تازه
chat-mentions-popup = { $count } بار در { $room } از شما نام برده شد

## جابه‌جایی سریع
chat-switcher-button = برو به…
chat-switcher-button-keys = Ctrl K
chat-switcher-button-keys-mac = ⌘ K
chat-switcher-title = رفتن به یک اتاق یا یک نفر
chat-switcher-label = اتاق یا شخص
chat-switcher-hint = بخشی از نام را بنویسید؛ با ↑ و ↓ انتخاب کنید و با Enter باز کنید.
chat-switcher-results = اتاق‌ها و افراد
chat-switcher-none = چیزی پیدا نشد.
chat-switcher-room = اتاق
chat-switcher-direct = گفت‌وگو
chat-switcher-person = شخص

## میان‌برهای صفحه‌کلید (پنجرهٔ «؟»)
chat-shortcuts-title = میان‌برهای صفحه‌کلید
chat-shortcut-or = یا
chat-shortcut-switcher = رفتن به یک اتاق یا یک نفر
chat-shortcut-rooms = اتاق قبلی یا بعدی
chat-shortcut-unread-rooms = اتاق خوانده‌نشدهٔ قبلی یا بعدی
chat-shortcut-composer = رفتن به جعبهٔ پیام
chat-shortcut-help = نمایش همین میان‌برها
chat-shortcut-send = فرستادن پیام
chat-shortcut-newline = سطر تازه
chat-shortcut-edit-last = ویرایش آخرین پیام خودتان (وقتی جعبهٔ پیام خالی است)
chat-shortcut-escape = لغو پاسخ یا ویرایش؛ بستن پنجره
chat-shortcut-half-space = نیم‌فاصله در واژه‌های فارسی
chat-shortcut-format = پررنگ، کج یا کد
chat-shortcut-link = پیوند روی متن برگزیده
chat-key-ctrl = Ctrl
chat-key-alt = Alt
chat-key-command = ⌘
chat-key-option = ⌥
chat-key-shift = Shift
chat-key-enter = Enter
chat-key-escape = Esc
chat-key-space = فاصله

## قالب‌بندی (مارک‌داون) در جعبهٔ پیام
chat-format-toolbar = قالب‌بندی
chat-format-bold = پررنگ (Ctrl+B)
chat-format-italic = کج (Ctrl+I)
chat-format-code = کد (Ctrl+E)
chat-format-link = پیوند (Ctrl+K روی متن برگزیده)
chat-format-preview = پیش‌نمایش
chat-format-preview-empty = هنوز چیزی برای پیش‌نمایش نیست.
chat-format-placeholder = متن
chat-format-link-text = متن پیوند
chat-spoiler-show = افشاگر: برای دیدن انتخاب کنید

## انتخابگر شکلک و پیشنهادهای نوشتن
# رنگ‌های پوست همان نام‌های CLDR‌اند (پوست سفید، روشن، طلایی، گندمی، آبنوسی).
chat-emoji-button = شکلک
chat-emoji-more = شکلک‌های بیشتر
chat-emoji-picker = شکلک‌ها
chat-emoji-search = جست‌وجوی شکلک
chat-emoji-tone = رنگ پوست
chat-emoji-tone-none = پیش‌فرض
chat-emoji-tone-1 = سفید
chat-emoji-tone-2 = روشن
chat-emoji-tone-3 = طلایی
chat-emoji-tone-4 = گندمی
chat-emoji-tone-5 = آبنوسی
chat-emoji-groups = دسته‌های شکلک
chat-emoji-group-recent = به‌تازگی به‌کاررفته
chat-emoji-group-custom = ویژهٔ این انجمن
chat-emoji-group-smileys = صورتک‌ها و احساسات
chat-emoji-group-people = آدم‌ها و بدن
chat-emoji-group-nature = جانوران و طبیعت
chat-emoji-group-food = خوراک و نوشیدنی
chat-emoji-group-travel = سفر و مکان‌ها
chat-emoji-group-activities = سرگرمی‌ها
chat-emoji-group-objects = اشیا
chat-emoji-group-symbols = نمادها
chat-emoji-group-flags = پرچم‌ها
chat-emoji-results = نتیجه‌های جست‌وجو
chat-emoji-none = شکلکی پیدا نشد.
chat-emoji-suggestions = پیشنهاد شکلک
chat-autocomplete-suggestions = پیشنهادها
chat-autocomplete-count = { $count ->
    [one] یک پیشنهاد؛ با ↑ و ↓ انتخاب کنید و با Enter یا Tab بگذارید.
   *[other] { $count } پیشنهاد؛ با ↑ و ↓ انتخاب کنید و با Enter یا Tab یکی را بگذارید.
}

## پیشنهاد نام‌بردن در جعبهٔ پیام
chat-mention-suggestions = افراد برای نام‌بردن
chat-mention-here-hint = همهٔ کسانی که اکنون آنلاین‌اند
chat-mention-room-hint = همهٔ اعضای اتاق

## صندوق اعلان‌ها
chat-inbox-button = اعلان‌ها
chat-inbox-button-unread = اعلان‌ها، { $count } خوانده‌نشده
chat-inbox-badge = { $count }
chat-inbox-title = اعلان‌ها
chat-inbox-read-all = همه را خوانده‌شده کن
chat-inbox-unread-only = فقط خوانده‌نشده‌ها
chat-inbox-empty = هنوز چیزی شما را صدا نزده است. نام‌بردن‌ها، پاسخ‌ها و پیام‌های خصوصی این‌جا می‌آیند.
chat-inbox-more = قدیمی‌ترها
chat-inbox-kind-mention = از شما نام برد
chat-inbox-kind-here = ‎@here
chat-inbox-kind-room = ‎@room
chat-inbox-kind-reply = به شما پاسخ داد
chat-inbox-kind-direct = پیام خصوصی
chat-inbox-kind-message = پیام تازه
chat-inbox-kind-thread = در رشته‌ای که دنبال می‌کنید پاسخ داد
chat-inbox-kind-keyword = واژهٔ برجسته
chat-inbox-permission-hint = وقتی این زبانه در پس‌زمینه است، اعلان سیستمی بگیرید.
chat-inbox-permission-ask = روشن کردن اعلان‌های دسکتاپ
chat-inbox-permission-denied = اعلان‌های دسکتاپ در تنظیمات این مرورگر برای این سایت بسته شده‌اند.
chat-inbox-permission-unsupported = این مرورگر نمی‌تواند اعلان دسکتاپ نشان دهد.
chat-inbox-alert = { $name } در { $room }: { $text }
chat-inbox-alert-room-only = پیام تازه در { $room }
chat-title-inbox = ({ $count }) { $title }
chat-title-unread-dot = • { $title }

## اعلان‌های یک اتاق
chat-room-notify-button = اعلان‌های این اتاق
chat-room-notify-button-muted = اعلان‌های این اتاق: بی‌صدا
chat-room-notify-title = اعلان‌های { $room }
chat-room-notify-level = به من خبر بده برای
chat-room-notify-default = پیش‌فرض من (مانند تنظیمات)
chat-room-notify-all = هر پیام
chat-room-notify-mentions = نام‌بردن‌ها، پاسخ‌ها و پیام‌های خصوصی
chat-room-notify-nothing = هیچ‌چیز
chat-room-notify-mute = بی‌صدا کردن
chat-room-notify-unmuted = بی‌صدا نیست
chat-room-notify-mute-hour = برای یک ساعت
chat-room-notify-mute-8-hours = برای ۸ ساعت
chat-room-notify-mute-day = برای یک روز
chat-room-notify-mute-forever = تا وقتی دوباره روشنش کنم
chat-room-notify-muted-until = تا { $time }
chat-room-notify-hint = در اتاقی که بی‌صداست یا روی «هیچ‌چیز» است، نام‌بردن از شما یا پاسخ به شما باز هم به صندوق اعلان‌ها می‌رسد، بی‌صدا و بی‌پنجره.
# The inbox: a scheduled message the server could not send when its time came.
chat-inbox-kind-scheduled-failed = پیام زمان‌بندی‌شده فرستاده نشد
chat-inbox-scheduled-failed = پیام زمان‌بندی‌شدهٔ شما به { $room } فرستاده نشد: { $reason }
# Why (the error code that refused it), as the end of that sentence.
chat-scheduled-reason-muted = شما بی‌صدا شده‌اید
chat-scheduled-reason-locked = اتاق قفل است
chat-scheduled-reason-not-member = دیگر عضو این اتاق نیستید
chat-scheduled-reason-not-found = این اتاق دیگر وجود ندارد
chat-scheduled-reason-banned = حساب شما مسدود شده است
chat-scheduled-reason-blocked = نمی‌توانید به این شخص پیام بدهید
chat-scheduled-reason-other = پذیرفته نشد

## Threads: the summary under a root message, the thread panel and the lists of threads.
chat-threads-button = رشته‌ها
chat-threads-title = رشته‌ها
chat-threads-tab-room = این اتاق
chat-threads-tab-mine = رشته‌های من
chat-threads-empty-room = هنوز رشته‌ای در این اتاق نیست. «پاسخ در رشته» روی یک پیام، رشته‌ای را آغاز می‌کند.
chat-threads-empty-mine = هنوز رشته‌ای را دنبال نمی‌کنید. با پاسخ دادن در یک رشته، آن را دنبال می‌کنید.
chat-thread-reply-button = پاسخ در رشته
chat-thread-title = رشته
chat-thread-open = باز کردن رشته:
chat-thread-replies = { $count } پاسخ
chat-thread-no-replies = هنوز پاسخی نیامده است
chat-thread-last-reply = آخرین پاسخ { $when }
chat-thread-replied-in = در یک رشته پاسخ داد
chat-thread-replies-label = پاسخ‌ها
chat-thread-load-earlier = پاسخ‌های پیشین
chat-thread-input-label = پاسخ در رشته
chat-thread-placeholder = پاسخ…
chat-thread-also-to-room = به اتاق هم فرستاده شود
chat-thread-attach-button = پیوست پرونده به پاسخ
chat-thread-uploads-label = پرونده‌های آمادهٔ فرستادن در رشته
chat-thread-follow = دنبال کردن
chat-thread-unfollow = دنبال نکردن
chat-thread-close = بستن پنل رشته
chat-thread-back = بازگشت به رشته‌ها
chat-thread-unread = { $count } خوانده‌نشده
