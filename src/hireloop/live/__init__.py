"""Live rooms: a live stage done together by the candidate and interviewers, in a shared editor
(Yjs documents served over the y-websocket protocol), with a panel the candidate never sees.

``rooms`` holds the rules (schedule, window, who joins, ending, marks), ``documents`` the Yjs
documents' layout and their storage, ``server`` the websocket side (persistence before relay,
relay between processes through Redis, the room clock, live coverage and the shared run).
"""
