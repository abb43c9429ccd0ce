# Web Push notifications (the service worker shows them as they are written here).
push-title-room = #{ $room }
push-title-direct = { $name }
push-title-room-count = { $count } پیام تازه در #{ $room }
push-title-rooms = { $count } اعلان تازه
push-body-text = { $name }: { $text }
push-body-room-only = پیام تازه در #{ $room }
push-body-room-only-count = { $count } پیام تازه در #{ $room }
push-body-direct-only = پیام خصوصی تازه
push-body-rooms-only = پیام‌های تازه در { $count } اتاق
push-body-no-text = { $name } پیامی فرستاد
# A scheduled message the server could not send (the reason is a chat-scheduled-reason-* text).
push-title-scheduled-failed = پیام زمان‌بندی‌شده فرستاده نشد
push-body-scheduled-failed = پیام زمان‌بندی‌شدهٔ شما به #{ $room } فرستاده نشد: { $reason }
