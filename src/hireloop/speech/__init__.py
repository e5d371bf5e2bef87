"""Spoken answers, offline: decoding recordings, transcription, pauses and delivery analytics.

- ``audio``: any recording PyAV can read (browser WebM/Ogg/MP4, WAV, MP3, FLAC) to 16 kHz mono,
  with size and duration limits and a clear reason when a file can't be used;
- ``models``: the Whisper models shipped in PyPI packages (tiny.en by default, base optional);
- ``transcribe``: faster-whisper with word timestamps, the model loaded once per process;
- ``vad``: Silero voice activity detection (shipped inside faster-whisper) for pauses;
- ``delivery``: pace over time, filler words, long pauses, talk time, repeated phrases;
- ``slides``: the text of a PDF slide deck.

Nothing here looks at faces or emotions: only what was said, and how clearly.
"""
