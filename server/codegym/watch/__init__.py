"""`codegym watch`: a terminal practice loop (rustlings-style) for editors without an LSP
set-up. `app.py` starts it; `loop.py` turns file changes and keys into runs, tutor answers and
screen states; `screen.py` draws a state; `keys.py` reads single keys; `watcher.py` watches the
workspace's files."""
