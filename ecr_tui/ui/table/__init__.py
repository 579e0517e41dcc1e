"""A table that renders only the lines on screen, for lists of 100,000 rows.

Textual's DataTable builds a row object per line and has no filter, so filtering
100,000 images means rebuilding it. This table keeps plain Python objects, sorts and
filters lists of them (`rows`, no Textual), and draws just the visible lines
(`widget`), with a scrollbar that repaints only when its thumb moves (`scrollbar`)
and a filter box that hands the keys back to the table (`filter_box`).
"""
