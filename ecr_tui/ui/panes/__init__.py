"""The three panes: repositories, the images of one repository, one image's findings.

`base` holds what they share (loading page by page, the filter box, the count in
the border); each pane has a module of its own; `info_lines` draws the lines of
text under a table (and above the findings).
"""
