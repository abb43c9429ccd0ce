# /login and /register.
account-tagline = A self-hosted community chat.
account-docs = API documentation
account-language = Language
account-login-title = Sign in
account-register-title = Create an account
account-username = Username
account-username-hint = 3–32 letters, digits, dots, dashes or underscores; Persian letters are fine.
account-display-name = Display name (optional)
account-password = Password
account-password-hint = At least 8 characters, and not your username.
account-invite-code = Invite code
account-sign-in = Sign in
account-create-account = Create account
account-no-account = New here?
account-have-account = Already have an account?
account-registration-closed = This server is not taking new accounts. Ask an admin for an invitation.
