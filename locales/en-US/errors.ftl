# Error messages: `error-<code>` is the problem `detail`, `.title` its `title`.
# Codes are stable API; see src/error.rs.

error-bad_request = The request could not be read: { $reason }
    .title = Bad request
error-unauthorized = You need to sign in to do this.
    .title = Not signed in
error-cors-origin_not_allowed = This site is not allowed to call the Anjoman API.
    .title = Origin not allowed
error-not_found = There is nothing at this address.
    .title = Not found
error-method_not_allowed = This address does not accept that method.
    .title = Method not allowed
error-conflict = That value is already in use.
    .title = Conflict
error-payload_too_large = The request body is larger than the { $limit } bytes this server accepts.
    .title = Request too large
error-unsupported_media_type = The request body is not in a format this address accepts.
    .title = Unsupported media type
error-service_unavailable = The service is temporarily unavailable. Please try again shortly.
    .title = Service unavailable
error-internal = Something went wrong on our side. It has been logged; please try again.
    .title = Internal error
error-username-too_short = A username needs at least { $min } characters.
    .title = Username too short
error-username-too_long = A username can have at most { $max } characters.
    .title = Username too long
error-username-invalid_char = A username may contain only letters, digits, “_”, “.” and “-”.
    .title = Invalid username
error-username-taken = This username is already taken.
    .title = Username taken
error-password-too_short = A password needs at least { $min } characters.
    .title = Password too short
error-password-too_long = A password can have at most { $max } characters.
    .title = Password too long
error-password-equals_username = The password must not be the same as the username.
    .title = Weak password
