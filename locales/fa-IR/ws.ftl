# The socket's frame errors: `error-<code>` is the `message` of the `error` frame (src/error/code.rs).

error-ws-malformed = این قاب یک شیء JSON نیست.
error-ws-unknown_op = عملیات ناشناخته.
error-ws-invalid_op = عملیات فیلدهای ناقص یا نامعتبر دارد.
