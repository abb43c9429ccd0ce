ws-malformed = این قاب یک شیء JSON نیست.
ws-unknown_op = عملیات ناشناخته.
ws-invalid_op = عملیات فیلدهای ناقص یا نامعتبر دارد.
