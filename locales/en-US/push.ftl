# Web Push notifications (the service worker shows them as they are written here).
# The title: the room, or the person of a direct conversation.
push-title-room = #{ $room }
push-title-direct = { $name }
# Several notifications of one room in one push.
push-title-room-count = { $count } new in #{ $room }
# Several notifications of different rooms in one push.
push-title-rooms = { $count } new notifications
# The body, with show_content = full: the latest message.
push-body-text = { $name }: { $text }
# The body, with show_content = room_only (no sender, no text).
push-body-room-only = New message in #{ $room }
push-body-room-only-count = { $count } new messages in #{ $room }
push-body-direct-only = New direct message
push-body-rooms-only = New messages in { $count } rooms
# A message with no text (only files or a poll).
push-body-no-text = { $name } sent a message
# A scheduled message the server could not send (the reason is a chat-scheduled-reason-* text).
push-title-scheduled-failed = Scheduled message not sent
push-body-scheduled-failed = Your scheduled message to #{ $room } was not sent: { $reason }
