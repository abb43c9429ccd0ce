app-name = انجمن
page-not_found-title = صفحه پیدا نشد
page-not_found-body = در این نشانی چیزی وجود ندارد. پیوند را بررسی کنید یا به صفحهٔ آغاز برگردید.
page-error-title = مشکلی پیش آمد
page-error-body = خطای پیش‌بینی‌نشده‌ای در سمت ما رخ داد. ثبت شد؛ لطفاً کمی بعد دوباره تلاش کنید.
page-back-home = بازگشت به انجمن
page-request-id = شناسهٔ درخواست: { $id }
page-csrf-title = این فرم منقضی شده است
page-csrf-body = فرم بدون نشانهٔ امنیتی یا از سایت دیگری فرستاده شد. برگردید، صفحه را دوباره بارگیری کنید و دوباره تلاش کنید.
# Each language's own name, for the language switch.
language-name = فارسی
