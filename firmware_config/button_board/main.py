"""MicroPython entry point for the RP2040 button board: pins and USB serial around `Board`.

Wiring: push button between GP15 and GND (internal pull-up), LED on GP16 via 330 ohm to GND.
The host talks over the USB CDC serial port (the same one as the REPL).
"""

import select
import sys
import time

import micropython
from machine import Pin
from protocol import Board

BUTTON_PIN = 15
LED_PIN = 16


def run() -> None:
    """Main loop: sample the button every millisecond, forward host input to `Board`."""
    # Ctrl-C (0x03) on the line must not drop the board into the REPL mid-conversation.
    micropython.kbd_intr(-1)
    button = Pin(BUTTON_PIN, Pin.IN, Pin.PULL_UP)
    led = Pin(LED_PIN, Pin.OUT, value=0)

    def write(line: str) -> None:
        sys.stdout.write(line)

    board = Board(write, lambda on: led.value(1 if on else 0), time.ticks_ms(), time.ticks_diff)
    poller = select.poll()
    poller.register(sys.stdin, select.POLLIN)
    while True:
        # Pressed pulls the pin low.
        board.tick(button.value() == 0, time.ticks_ms())
        while poller.poll(0):
            board.receive(sys.stdin.read(1))
        time.sleep_ms(1)


run()
