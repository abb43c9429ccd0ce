# E-mail bodies (domain::mail::compose). Sent as HTML and plain text.
mail-site = Anjoman
mail-greeting = Hello { $name },
mail-link-hint = If the button does not work, open this link:
mail-verify-subject = Confirm your e-mail address
mail-verify-body = Please confirm that { $address } is your address on Anjoman. The link works for { $hours ->
    [one] one hour
   *[other] { $hours } hours
} and only once.
mail-verify-action = Confirm my address
mail-verify-ignore = If you did not add this address, ignore this mail: it stays unconfirmed and receives nothing else.
mail-reset-subject = Reset your password
mail-reset-body = Someone asked to reset the password of the account { $username }. The link works for { $minutes } minutes and only once; using it signs you out everywhere.
mail-reset-action = Choose a new password
mail-reset-ignore = If it was not you, ignore this mail: your password stays as it is.
mail-missed-subject = { $count ->
    [one] You missed a message
   *[other] You missed { $count } messages
}
mail-missed-body = { $count ->
    [one] A message was waiting for you while you were away:
   *[other] { $count } messages were waiting for you while you were away:
}
mail-missed-action = Open Anjoman
mail-unsubscribe-why = You get this mail because missed-activity mail is on in your settings.
mail-unsubscribe-action = Unsubscribe
mail-missed-direct = Direct message
mail-missed-hidden = New message (your settings hide the text in notifications)
# A scheduled message the server could not send (the reason is a chat-scheduled-reason-* text).
mail-missed-scheduled-failed = Your scheduled message was not sent: { $reason }
