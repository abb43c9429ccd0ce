# The socket's frame errors: `error-<code>` is the `message` of the `error` frame (src/error/code.rs).

error-ws-malformed = The frame is not a JSON object.
error-ws-unknown_op = Unknown operation.
error-ws-invalid_op = The operation has missing or invalid fields.
