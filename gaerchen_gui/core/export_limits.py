"""The sizes and frame rates an exported animation may have, and their defaults (no numpy, no torch:
the command line's parser reads them before it imports anything heavy)."""

MP4_BLOCK = 16  # H.264 players expect frame sides that are multiples of its 16-pixel macroblocks
# Sides a frame may have (multiples of MP4_BLOCK; a timelapse's probe tiles divide them too) and frame
# rates (a GIF counts frame times in hundredths of a second).
MIN_SIDE, MAX_SIDE = 64, 2048
MIN_FPS, MAX_FPS = 1, 50
# The defaults of ``gaerchen timelapse`` and ``gaerchen walk``, and of the window's export dialog.
TIMELAPSE_SIDE, TIMELAPSE_FPS = 512, 20
WALK_SIDE, WALK_FPS = 160, 8
