# متن ایمیل‌ها (domain::mail::compose)؛ به‌صورت HTML و متن ساده فرستاده می‌شوند.
mail-site = انجمن
mail-greeting = سلام { $name }،
mail-link-hint = اگر دکمه کار نکرد، این پیوند را باز کنید:
mail-verify-subject = نشانی ایمیل خود را تأیید کنید
mail-verify-body = لطفاً تأیید کنید که { $address } نشانی شما در انجمن است. این پیوند تا { $hours } ساعت و فقط یک بار کار می‌کند.
mail-verify-action = تأیید نشانی من
mail-verify-ignore = اگر شما این نشانی را نیفزوده‌اید، این نامه را نادیده بگیرید: نشانی تأییدنشده می‌ماند و نامهٔ دیگری به آن فرستاده نمی‌شود.
mail-reset-subject = بازنشانی گذرواژه
mail-reset-body = کسی خواسته است گذرواژهٔ حساب { $username } بازنشانی شود. این پیوند تا { $minutes } دقیقه و فقط یک بار کار می‌کند و با به‌کاربردنش از همهٔ دستگاه‌ها خارج می‌شوید.
mail-reset-action = انتخاب گذرواژهٔ تازه
mail-reset-ignore = اگر شما نخواسته‌اید، این نامه را نادیده بگیرید: گذرواژهٔ شما همان می‌ماند.
mail-missed-subject = { $count } پیام خوانده‌نشده دارید
mail-missed-body = در نبود شما { $count } پیام منتظرتان بود:
mail-missed-action = باز کردن انجمن
mail-unsubscribe-why = این نامه را می‌گیرید چون ایمیل پیام‌های ازدست‌رفته در تنظیمات شما روشن است.
mail-unsubscribe-action = لغو اشتراک
mail-missed-direct = پیام خصوصی
mail-missed-hidden = پیام تازه (تنظیمات شما متن را در اعلان‌ها پنهان می‌کند)
# A scheduled message the server could not send (the reason is a chat-scheduled-reason-* text).
mail-missed-scheduled-failed = پیام زمان‌بندی‌شدهٔ شما فرستاده نشد: { $reason }
