ws-malformed = The frame is not a JSON object.
ws-unknown_op = Unknown operation.
ws-invalid_op = The operation has missing or invalid fields.
