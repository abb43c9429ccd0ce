# The chat page (templates/chat.html and web/chat/*.js).
# Every id starts with "chat-": the page gets them all (templates as t.<id without
# "chat-", "-" as "_">, the script pre-rendered in its boot data).
# Messages used by the template itself take no variables.

## Page shell
chat-sidebar-toggle = Rooms
chat-sidebar-label = Rooms and conversations
chat-search-label = Search messages
chat-search-placeholder = Search messages
chat-search-this-room = This room only
chat-search-results = Search results
chat-account-menu = Account
chat-settings-link = Settings
chat-admin-link = Moderation
chat-logout-button = Sign out
chat-create-room-button = New room
chat-join-room-button = Join a room
chat-rooms-heading = Rooms
chat-direct-heading = Direct messages
chat-new-dm-button = New direct message
chat-empty-title = Welcome to Anjoman
chat-empty-body = Pick a room on the side, create one, or join one with an invite code.
chat-invite-button = Invite
chat-members-toggle = Members
chat-leave-button = Leave room
chat-timeline-label-plain = Messages
chat-timeline-label = Messages in { $room }
chat-jump-latest = Jump to latest
chat-drop-files = Drop files to share them here
chat-members-heading-plain = Members
chat-composer-label = Write a message
chat-composer-placeholder-plain = Write a message…
chat-composer-placeholder = Message { $room }
chat-composer-hint = Enter to send, Shift+Enter for a new line
chat-uploads-label = Files to send
chat-attach-button = Attach files
chat-poll-button = Create a poll
chat-send-button = Send
chat-schedule-button = Schedule
chat-schedule-title = Schedule a message
chat-schedule-body = Message
chat-schedule-when = Send at (your local time)
chat-schedule-when-missing = Choose a date and time.
chat-schedule-submit = Schedule
chat-schedule-done = Scheduled for { $time }.
chat-scheduled-title = Scheduled
chat-scheduled-empty = Nothing is scheduled.
chat-scheduled-send-now = Send now
chat-scheduled-edit = Edit
chat-scheduled-cancel = Cancel
chat-scheduled-sent = Sent.
chat-scheduled-failed = Not sent

## Connection
chat-status-connecting = Connecting…
chat-status-connected = Connected
chat-status-reconnecting = Reconnecting…
chat-status-offline = Offline — retrying

## General
chat-cancel = Cancel
chat-close = Close
chat-save = Save
chat-loading = Loading…
chat-confirm-title = Are you sure?
chat-unknown-user = Deleted account
chat-error-generic = Something went wrong. Please try again.
chat-error-network = Cannot reach the server. Check your connection.
chat-error-offline = You are offline. Try again once the connection is back.
chat-error-timeout = The server did not answer in time. Please try again.
chat-error-connection-lost = The connection dropped before the server answered. Check whether it went through.

## Room list
chat-no-rooms = No rooms yet.
chat-no-dms = No conversations yet.
chat-room-no-messages = No messages yet
chat-unread-count = { $count ->
    [one] { $count } unread message
   *[other] { $count } unread messages
}
chat-mentions-count = { $count ->
    [one] { $count } mention
   *[other] { $count } mentions
}
chat-preview-poll = Poll: { $question }
chat-preview-files = { $count ->
    [one] Shared a file
   *[other] Shared { $count } files
}

## Creating and joining rooms
chat-create-room-title = Create a room
chat-create-room-submit = Create room
chat-room-name = Name
chat-room-topic = Topic (optional)
chat-room-name-required = Give the room a name.
chat-room-visibility = Who can join
chat-room-public = Public
chat-room-public-hint = Listed; anyone can join.
chat-room-private = Private
chat-room-private-hint = Only people with the invite code can join.
chat-join-title = Join a room
chat-join-code = Invite code
chat-join-code-hint = Ask someone in the room for its code.
chat-join-code-required = Enter an invite code.
chat-join-submit = Join with code
chat-public-rooms = Public rooms
chat-no-public-rooms = There are no public rooms yet.
chat-join-button = Join
chat-open-room = Open
chat-dm-title = New direct message
chat-dm-search = Find a person
chat-dm-search-hint = Type the start of their username.
chat-no-users = Nobody found.
chat-dm-with = Message { $name }

## Room header
chat-member-count = { $count ->
    [one] { $count } member
   *[other] { $count } members
}
chat-room-locked-badge = Read-only
chat-room-locked = This room is read-only.
chat-invite-title = Invite people to { $room }
chat-invite-hint = Share this code; anyone who has it can join the room.
chat-invite-copy = Copy
chat-invite-copied = Invite code copied.
chat-invite-rotate = New code
chat-leave-confirm = Leave { $room }? You can come back if it is public or you have an invite code.
chat-kicked = You were removed from { $room }.

## Timeline
chat-room-start = This is the beginning of { $room }.
chat-room-empty = No messages yet. Say hello!
chat-edited = (edited)
chat-half-space-button = Insert a half-space (Shift+Space)
chat-message-deleted = This message was deleted.
chat-reply-unavailable = Original message not loaded
chat-reply-jump = Show the original message
chat-message-actions = Message actions
chat-react-button = Add reaction
chat-react-with = React with { $emoji }
chat-reaction-by = from { $names }
chat-reaction-label = { $count ->
    [one] { $emoji } from { $names }
   *[other] { $emoji } from { $count } people: { $names }
}
chat-reply-button = Reply
chat-edit-button = Edit
chat-edit-label = Edit message
chat-edit-hint = Enter to save, Escape to cancel
chat-delete-button = Delete
chat-delete-confirm = Delete this message? This cannot be undone.
chat-embed-remove = Remove this link preview
chat-report-button = Report
chat-report-title = Report this message
chat-report-reason = Why? The moderators will read this.
chat-report-submit = Send report
chat-report-sent = Thanks. The moderators will look at it.
chat-pin-button = Pin
chat-unpin-button = Unpin
chat-save-button = Save
chat-unsave-button = Unsave
chat-pinned = Message pinned.
chat-unpinned = Message unpinned.
chat-pins-button = Pinned messages
chat-pins-title = Pinned in { $room }
chat-pins-empty = Nothing is pinned in this room yet.
chat-pinned-by = Pinned by { $name }
chat-jump-to-message = Jump to message
chat-save-title = Save this message
chat-save-note = Note (optional)
chat-save-note-hint = Only you can see your saved messages and notes.
chat-save-submit = Save
chat-saved-done = Saved.
chat-unsaved = Removed from your saved messages.
chat-saved-button = Saved messages
chat-saved-title = Saved messages
chat-saved-empty = You have not saved any messages yet.
chat-saved-unavailable = This message is no longer available to you.
chat-forward-button = Forward
chat-forward-title = Forward this message
chat-forward-filter = Find a room or person
chat-forward-to = Forward to
chat-forward-none = No room or conversation matches.
chat-forward-comment = Add a comment (optional)
chat-forward-submit = Forward
chat-forward-pick = Choose where to forward it.
chat-forward-sent = Forwarded.
chat-forwarded-from = Forwarded from { $room } · { $author }
chat-forwarded-direct = a direct conversation
chat-forwarded-jump = Go to the original:
chat-mention-toast = { $name } mentioned you in { $room }

## Composer
chat-replying-to = Replying to
chat-reply-cancel = Cancel reply
chat-message-too-long = A message can be at most { $max } characters.
chat-typing-one = { $name } is typing…
chat-typing-two = { $first } and { $second } are typing…
chat-typing-several = { $count ->
    [one] { $count } person is typing…
   *[other] { $count } people are typing…
}

## Files
chat-file-too-large = { $name } is too large; files can be at most { $max }.
chat-file-empty = { $name } is empty.
chat-file-type-not-allowed = { $name } cannot be shared: allowed types are { $types }.
chat-upload-progress = Uploading { $name }
chat-upload-remove = Remove { $name }
chat-upload-failed = { $name } was not uploaded: { $reason }
chat-upload-cancelled = Upload cancelled.
chat-upload-wait = Wait until the files have finished uploading.

## Polls
chat-poll-create-title = New poll
chat-poll-create = Create poll
chat-poll-question = Question
chat-poll-options = Answers
chat-poll-option-label = Answer { $number }
chat-poll-option-placeholder = Answer { $number }
chat-poll-add-option = Add an answer
chat-poll-remove-option = Remove this answer
chat-poll-multiple-label = Allow several answers
chat-poll-anonymous-label = Hide who voted for what
chat-poll-question-required = Write a question.
chat-poll-options-required = { $count ->
    [one] Give at least { $count } answer.
   *[other] Give at least { $count } answers.
}
chat-poll-single = One answer
chat-poll-multiple = Several answers
chat-poll-anonymous = Anonymous
chat-poll-closed = Closed
chat-poll-closes = Closes { $time }
chat-poll-close = Close poll
chat-poll-votes = { $count ->
    [one] { $count } vote
   *[other] { $count } votes
}
chat-poll-voters = { $count ->
    [one] { $count } person voted
   *[other] { $count } people voted
}
chat-poll-max-choices = { $count ->
    [one] You can choose at most { $count } answer.
   *[other] You can choose at most { $count } answers.
}

## Members
chat-members-heading = { $count ->
    [one] { $count } member
   *[other] { $count } members
}
chat-members-online = { $count } online
chat-presence-online = Online
chat-presence-away = Away
chat-presence-offline = Offline
chat-role-owner = Owner
chat-role-moderator = Moderator

## Search
chat-searching = Searching…
chat-search-count = { $count ->
    [one] { $count } result
   *[other] { $count } results
}
chat-search-empty = Nothing found for “{ $query }”.
chat-search-more = More results
chat-viewer-label = Picture
chat-viewer-position = { $index } of { $count }
chat-viewer-previous = Previous picture
chat-viewer-next = Next picture
chat-viewer-download = Download
chat-show-more = Show more
chat-show-less = Show less
chat-rooms-failed = Your rooms could not be loaded.
chat-retry = Try again

# Profile card (a click on a name).
chat-profile-open = Profile of { $name }
chat-profile-message = Message
chat-profile-edit = Edit profile
chat-profile-local-time = Local time
chat-profile-room-role = In this room
chat-profile-muted = Muted until
chat-profile-same-time = same time as you
chat-profile-hours = { $count ->
    [one] { $hours } hour
   *[other] { $hours } hours
}
chat-profile-hours-minutes = { $hours } h { $minutes } min
chat-profile-ahead = { $amount } ahead of you
chat-profile-behind = { $amount } behind you
chat-mute-button = Mute
chat-unmute-button = Unmute
chat-mute-title = Mute { $name }
chat-mute-hint = They can still read this room but cannot write, react, vote or upload.
chat-mute-duration = For how long
chat-mute-10m = 10 minutes
chat-mute-1h = 1 hour
chat-mute-1d = 1 day
chat-mute-1w = 1 week
chat-muted-toast = { $name } is muted.
chat-unmuted-toast = { $name } can write again.
chat-kick-button = Remove from room
chat-kick-confirm = Remove { $name } from { $room }? They can come back the way anyone joins.
chat-kicked-toast = { $name } was removed from the room.
chat-ban-button = Ban
chat-ban-confirm = Ban { $name } from the whole site? Every session of theirs ends at once.
chat-banned-toast = { $name } is banned.
chat-member-muted = Muted

# Room settings.
chat-room-settings-button = Room settings
chat-room-settings = Room settings
chat-room-about = About this room
chat-settings-title = Settings of { $room }
chat-about-title = About { $room }
chat-settings-no-topic = This room has no topic.
chat-settings-save = Save changes
chat-settings-saved = Room settings saved.
chat-settings-lock = Read-only: only moderators can write
chat-settings-members-can-pin = Members can pin messages (moderators always can)
chat-settings-retention = Keep messages
chat-settings-retention-hint = Older messages are deleted for good.
chat-retention-forever = Forever
chat-retention-days = { $count ->
    [one] { $days } day
   *[other] { $days } days
}
chat-settings-invite = Invite
chat-settings-invite-link-hint = Anyone with this link can join the room.
chat-invite-copy-link = Copy link
chat-invite-rotated = New invite code made; the old one no longer works.
chat-settings-members = Members
chat-settings-danger = Leave or delete
chat-leave-confirm-owner = Leave { $room }? You are its only owner: nobody will be able to delete it or change who can join.
chat-delete-room-button = Delete room
chat-delete-room-title = Delete { $room }?
chat-delete-room-warning = Every message, file and poll in it is deleted for good, for everyone.
chat-delete-room-type = Type the room's name, { $room }, to confirm
chat-delete-room-mismatch = That is not the room's name.
chat-room-deleted-by-me = { $room } was deleted.
chat-room-deleted = { $room } was deleted by its owner.

## Unread: the divider, the jump button and mention pop-ups
chat-unread-divider = New messages
chat-jump-new = { $count ->
    [one] { $count } new message
   *[other] { $count } new messages
}
chat-mentions-popup = { $count ->
    [one] { $count } mention in { $room }
   *[other] { $count } mentions in { $room }
}

## The quick switcher
chat-switcher-button = Jump to…
chat-switcher-button-keys = Ctrl K
chat-switcher-button-keys-mac = ⌘ K
chat-switcher-title = Jump to a room or person
chat-switcher-label = Room or person
chat-switcher-hint = Type part of a name; ↑ and ↓ choose, Enter opens.
chat-switcher-results = Rooms and people
chat-switcher-none = Nothing matches.
chat-switcher-room = room
chat-switcher-direct = conversation
chat-switcher-person = person

## Keyboard shortcuts (the "?" dialog)
chat-shortcuts-title = Keyboard shortcuts
chat-shortcut-or = or
chat-shortcut-switcher = Jump to a room or person
chat-shortcut-rooms = Previous or next room
chat-shortcut-unread-rooms = Previous or next unread room
chat-shortcut-composer = Go to the message box
chat-shortcut-help = Show these shortcuts
chat-shortcut-send = Send the message
chat-shortcut-newline = New line
chat-shortcut-edit-last = Edit your last message (in an empty message box)
chat-shortcut-escape = Cancel a reply or an edit; close a dialog
chat-shortcut-half-space = Half-space in Persian words
chat-shortcut-format = Bold, italic or code
chat-shortcut-link = Link the selected text
chat-key-ctrl = Ctrl
chat-key-alt = Alt
chat-key-command = ⌘
chat-key-option = ⌥
chat-key-shift = Shift
chat-key-enter = Enter
chat-key-escape = Esc
chat-key-space = Space

## Formatting (Markdown) in the message box
chat-format-toolbar = Formatting
chat-format-bold = Bold (Ctrl+B)
chat-format-italic = Italic (Ctrl+I)
chat-format-code = Code (Ctrl+E)
chat-format-link = Link (Ctrl+K on selected text)
chat-format-preview = Preview
chat-format-preview-empty = Nothing to preview yet.
chat-format-placeholder = text
chat-format-link-text = link text
chat-spoiler-show = Spoiler: select to show

## Emoji picker and composer suggestions
chat-emoji-button = Emoji
chat-emoji-more = More emoji
chat-emoji-picker = Emoji
chat-emoji-search = Search emoji
chat-emoji-tone = Skin tone
chat-emoji-tone-none = Default
chat-emoji-tone-1 = Light
chat-emoji-tone-2 = Medium-light
chat-emoji-tone-3 = Medium
chat-emoji-tone-4 = Medium-dark
chat-emoji-tone-5 = Dark
chat-emoji-groups = Emoji categories
chat-emoji-group-recent = Recently used
chat-emoji-group-custom = Custom
chat-emoji-group-smileys = Smileys and emotion
chat-emoji-group-people = People and body
chat-emoji-group-nature = Animals and nature
chat-emoji-group-food = Food and drink
chat-emoji-group-travel = Travel and places
chat-emoji-group-activities = Activities
chat-emoji-group-objects = Objects
chat-emoji-group-symbols = Symbols
chat-emoji-group-flags = Flags
chat-emoji-results = Search results
chat-emoji-none = No emoji found.
chat-emoji-suggestions = Emoji suggestions
chat-autocomplete-suggestions = Suggestions
chat-autocomplete-count = { $count ->
    [one] One suggestion; ↑ and ↓ choose, Enter or Tab puts it in.
   *[other] { $count } suggestions; ↑ and ↓ choose, Enter or Tab puts one in.
}

## Mention suggestions in the message box
chat-mention-suggestions = People to mention
chat-mention-here-hint = everyone online now
chat-mention-room-hint = every member of the room

## The inbox: what asked for me
chat-inbox-button = Inbox
chat-inbox-button-unread = Inbox, { $count } unread
chat-inbox-badge = { $count }
chat-inbox-title = Inbox
chat-inbox-read-all = Mark all as read
chat-inbox-unread-only = Unread only
chat-inbox-empty = Nothing has asked for you yet. Mentions, replies and direct messages will show here.
chat-inbox-more = Show older
chat-inbox-kind-mention = Mentioned you
chat-inbox-kind-here = @here
chat-inbox-kind-room = @room
chat-inbox-kind-reply = Replied to you
chat-inbox-kind-direct = Direct message
chat-inbox-kind-message = New message
chat-inbox-kind-thread = Replied in a thread you follow
chat-inbox-kind-keyword = Highlight word
chat-inbox-permission-hint = Get a system notification when this tab is in the background.
chat-inbox-permission-ask = Turn on desktop notifications
chat-inbox-permission-denied = Desktop notifications are blocked in this browser's settings for this site.
chat-inbox-permission-unsupported = This browser cannot show desktop notifications.
chat-inbox-alert = { $name } in { $room }: { $text }
chat-inbox-alert-room-only = New message in { $room }
chat-title-inbox = ({ $count }) { $title }
chat-title-unread-dot = • { $title }

## Notifications for one room
chat-room-notify-button = Notifications for this room
chat-room-notify-button-muted = Notifications for this room: muted
chat-room-notify-title = Notifications for { $room }
chat-room-notify-level = Notify me about
chat-room-notify-default = My default (as in Settings)
chat-room-notify-all = Every message
chat-room-notify-mentions = Mentions, replies and direct messages
chat-room-notify-nothing = Nothing
chat-room-notify-mute = Mute
chat-room-notify-unmuted = Not muted
chat-room-notify-mute-hour = For an hour
chat-room-notify-mute-8-hours = For 8 hours
chat-room-notify-mute-day = For a day
chat-room-notify-mute-forever = Until I turn it back on
chat-room-notify-muted-until = Until { $time }
chat-room-notify-hint = In a muted room, or one set to Nothing, a mention of you or a reply to you still reaches your inbox, without a sound or a pop-up.
# The inbox: a scheduled message the server could not send when its time came.
chat-inbox-kind-scheduled-failed = Scheduled message not sent
chat-inbox-scheduled-failed = Your scheduled message to { $room } was not sent: { $reason }
# Why (the error code that refused it), as the end of that sentence.
chat-scheduled-reason-muted = you are muted
chat-scheduled-reason-locked = the room is locked
chat-scheduled-reason-not-member = you are no longer a member
chat-scheduled-reason-not-found = the room no longer exists
chat-scheduled-reason-banned = your account is banned
chat-scheduled-reason-blocked = you cannot message this person
chat-scheduled-reason-other = it was refused

## Threads: the summary under a root message, the thread panel and the lists of threads.
chat-threads-button = Threads
chat-threads-title = Threads
chat-threads-tab-room = This room
chat-threads-tab-mine = My threads
chat-threads-empty-room = No threads in this room yet. “Reply in thread” on a message starts one.
chat-threads-empty-mine = You follow no threads yet. Replying in a thread follows it.
chat-thread-reply-button = Reply in thread
chat-thread-title = Thread
chat-thread-open = Open the thread:
chat-thread-replies = { $count ->
    [one] { $count } reply
   *[other] { $count } replies
}
chat-thread-no-replies = No replies yet
chat-thread-last-reply = last reply { $when }
chat-thread-replied-in = Replied in a thread
chat-thread-replies-label = Replies
chat-thread-load-earlier = Load earlier replies
chat-thread-input-label = Reply in the thread
chat-thread-placeholder = Reply…
chat-thread-also-to-room = Also send to the room
chat-thread-attach-button = Attach files to the reply
chat-thread-uploads-label = Files to send in the thread
chat-thread-follow = Follow
chat-thread-unfollow = Unfollow
chat-thread-close = Close the thread panel
chat-thread-back = Back to the threads
chat-thread-unread = { $count } unread
