"""How a big merge of rows gives way to keys: the sizes and pauses it keeps to.

Tuned against the benchmark's key latency while 100,000 images load (see README,
Performance). The table widget reads them as its own globals, so tests can patch
them there.
"""

# A merge into a table this big runs in steps (see `extend_in_steps`).
STEPPED_MERGE_ROWS = 10_000
# The pause between steps: long enough for a key's messages and its frame to go first.
MERGE_STEP_PAUSE = 0.002
# Keys moving the cursor count as paused after this long without one (see
# `keys_pause_in`): a big merge waits for the next key or such a pause to show.
KEYS_PAUSE_SECONDS = 0.3
# The pause after a key pressed in the last KEY_FRAME_SECONDS: its frame is also
# written out by Textual's writer thread, which needs the GIL that a step holds (a
# frame of 10 kB is a few writes to the terminal). Without it, the lines at the
# bottom of such a frame (the info line) came up to 30 ms after its top.
KEY_FRAME_SECONDS = 0.03
