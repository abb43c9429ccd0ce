# /login and /register.
account-tagline = گفت‌وگوی گروهی خودمیزبان برای انجمن شما.
account-docs = مستندات API
account-language = زبان
account-login-title = ورود
account-register-title = ساختن حساب
account-username = نام کاربری
account-username-hint = ۳ تا ۳۲ حرف، رقم، نقطه، خط تیره یا زیرخط؛ حروف فارسی هم پذیرفته است.
account-display-name = نام نمایشی (اختیاری)
account-password = گذرواژه
account-password-hint = دست‌کم ۸ نویسه، و نه همان نام کاربری.
account-invite-code = کد دعوت
account-sign-in = ورود
account-create-account = ساختن حساب
account-no-account = تازه آمده‌اید؟
account-have-account = حساب دارید؟
account-registration-closed = این سرور حساب تازه نمی‌پذیرد. از یکی از مدیران دعوت‌نامه بخواهید.
