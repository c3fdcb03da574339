"""The room's device adapter: microphone capture, the record button and its LED.

The core (`appliance`) never imports audio or GPIO libraries; it drives this package through
`Recorder`, `AudioSource`, `Led` and the button backends, and decides *when* (consent) itself.
"""
