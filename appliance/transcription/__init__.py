"""Local speech recognition: model registry, the Whisper transcriber and streaming transcription.

Heavy native libraries (ctranslate2, faster-whisper, onnxruntime) are imported inside the
functions that need them, so importing this package is cheap and safe on any box.
"""
