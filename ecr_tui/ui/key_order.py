"""Keys in the order they were typed, each going where it would go typed slowly.

Why. Over SSH, in a paste or from `tmux send-keys`, the keys after the one that
opens a dialog come in the same read, and Textual (8.2) routes each key the moment
it takes it from the app's queue. A key that is no priority binding is put into
the focused widget's own queue (`App.on_event`), and what it does happens later,
when that widget has handled it: a binding runs as it bubbles back up to the app,
and only then is a dialog pushed or the focus moved. By then the keys after it
were routed too, to the old widget: `n` then `abc` gave an empty repository name,
`n` then `ab/cd` opened the filter behind the dialog (`/` is a priority binding,
looked up on the screen in front when it arrived). And a screen just pushed has
no focused widget until it is mounted, so keys sent meanwhile went to the screen
itself and were lost.

How. `KeyOrderedApp` holds a key (and a paste) while the one before it is not
done, and replays the held keys in order, through Textual's own routing, as soon
as nothing holds them:

- a key sent to a widget's queue is followed by a marker: a callback posted to
  the same widget, then to each of its ancestors up to the app, the way the key
  bubbles, and behind what they posted meanwhile (see `_Marker`). When it is
  home, the key and what it started are done, focus moves included. Text for
  the field (an Input, an editable TextArea) the keys before it were text for
  does not wait: it goes into the same queue behind them (a pasted URI is typed
  as quickly as before);
- a widget can ask for the same wait after a priority binding whose messages
  open something (enter on a table row): `wait_for_messages_of`;
- a screen that has not taken a key yet is sent the same marker: it reaches the
  screen after its mount and its resume (where the focus is set), and the app
  after the `focus()` calls they made;
- a flow that opens its dialog after an ECR call (`D` counts the images first)
  holds the keys until then: `KeyOrderedApp.hold_keys`;
- the focused widget can hold the keys that were typed before it asked for
  something (`holds_keys_typed_before`): a table holds those typed before it
  asked for its rows, so that `enter y` copies the first image of the repository
  just opened instead of saying there is no image. A key typed afterwards, by a
  user who saw "Loading…", goes through at once: the network never holds keys
  typed at human pace.

No key waits more than HOLD_AT_MOST for any one of these (a slow network, a
marker that could not be delivered): after that it goes where it would go now.
A key that nothing holds, such as `j` while a list loads, is routed at once, as
before, after a few microseconds of checks; a key that goes into a widget's queue
costs its marker's trip, about a millisecond of the UI thread.
"""

from __future__ import annotations

import time
import weakref
from collections import deque
from collections.abc import Callable
from typing import Any

from textual import events
from textual.app import App
from textual.dom import DOMNode
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input, TextArea

# The longest a key waits for any one thing (the dialog after an ECR call, a
# table's first rows): long enough for ECR to answer, short enough that a key never
# seems lost.
HOLD_AT_MOST = 2.0
# While keys are held, how often the waits are checked against HOLD_AT_MOST.
CHECK_EVERY = 0.25

Held = events.Key | events.Paste


class KeyHold:
    """Keys wait until `release()`, or HOLD_AT_MOST at most."""

    def __init__(self, app: KeyOrderedApp) -> None:
        self._app: KeyOrderedApp | None = app
        self.since = time.monotonic()

    def release(self) -> None:
        """Let the held keys go (more than once is harmless; from the UI thread only)."""
        app, self._app = self._app, None
        if app is not None:
            app._holds.discard(self)
            app.keys_may_flow()


class KeyOrderedApp(App[None]):
    """An app whose keys each wait for the one before them (see the module docstring)."""

    def __init__(self) -> None:
        super().__init__()
        # Held keys, with when each arrived.
        self._held_keys: deque[tuple[Held, float]] = deque()
        # Markers on their way back to the app, with when they set off.
        self._markers: dict[_Marker, float] = {}
        self._holds: set[KeyHold] = set()
        # Screens that are ready for keys: mounted, their focus set.
        self._ready_screens: weakref.WeakSet[Screen[Any]] = weakref.WeakSet()
        # The last screen found ready (a quicker check than the set).
        self._last_ready_screen: weakref.ref[Screen[Any]] | Callable[[], None] = lambda: None
        # The screen last sent a marker to find that out, and when.
        self._screen_asked: tuple[weakref.ref[Screen[Any]], float] | None = None
        self._check_timer: Timer | None = None
        # What waits for the keys typed before it (see `after_keys_typed_so_far`).
        self._after_keys: list[Callable[[], None]] = []

    # -- for the rest of the app -----------------------------------------------------

    def hold_keys(self) -> KeyHold:
        """Hold the keys from now until the returned hold is released."""
        hold = KeyHold(self)
        self._holds.add(hold)
        return hold

    def keys_wait_for(self, node: DOMNode) -> None:
        """Hold the keys until the messages `node` has queued, and what they start, are done."""
        self._send_marker(node, self._replay_next)

    def after_keys_typed_so_far(self, callback: Callable[[], None]) -> None:
        """Run `callback` once no key is held or on its way (at once if none is).

        For an outcome that comes from a worker in the middle of a burst: the keys
        typed before it do what they do first, as they would have typed slowly.
        Keys held by `hold_keys` wait for what their holder does now: they come after.
        """
        too_old = time.monotonic() - HOLD_AT_MOST
        if any(hold.since >= too_old for hold in self._holds):
            callback()
            return
        self._after_keys.append(callback)
        self._run_after_keys()

    def _run_after_keys(self) -> None:
        if not self._after_keys:
            return
        too_old = time.monotonic() - HOLD_AT_MOST  # (a marker that could not come home)
        if self._held_keys or any(since >= too_old for since in self._markers.values()):
            self._check_later()
            return
        waiting, self._after_keys = self._after_keys, []
        for callback in waiting:
            callback()

    def keys_may_flow(self) -> None:
        """Something that held the keys has stopped: replay them (from the app's queue)."""
        if self._held_keys:
            self.call_later(self._replay)

    # -- routing ---------------------------------------------------------------------

    async def on_event(self, event: events.Event) -> None:
        """Keys and pastes from the terminal wait their turn; everything else as before."""
        if isinstance(event, Held) and not event.is_forwarded:
            now = time.monotonic()
            if self._held_keys or self._must_wait(event, now):
                self._held_keys.append((event, now))
                self._check_later()
            else:
                await self._route(event)
            return
        await super().on_event(event)

    async def _route(self, event: Held) -> None:
        """Textual's own routing (priority bindings, else the focused widget), then a
        marker behind the key if it went into a widget's queue."""
        await super().on_event(event)
        if event.is_forwarded:
            target = self.focused or self.screen
            text = isinstance(event, events.Key) and event.is_printable
            typed_into = target if text and _takes_text(target) else None
            if typed_into is not None:
                # The new character's marker follows those before it in the same queues:
                # theirs can stop where they are (see `_Marker.__call__`).
                self._markers = {
                    m: t for m, t in self._markers.items() if m.typed_into is not target
                }
            self._send_marker(target, self._replay_next, typed_into)

    async def _replay(self) -> None:
        """Route the held keys in order, until one has to wait again."""
        while self._held_keys and not self._must_wait(*self._held_keys[0]):
            await self._route(self._held_keys.popleft()[0])
        if self._held_keys:
            self._check_later()
        else:
            self._run_after_keys()

    def _must_wait(self, event: Held, arrived: float) -> bool:
        """Whether `event` (it arrived at `arrived`) has to wait. Forgets waits older
        than HOLD_AT_MOST, and sends a screen not known to be ready for keys a marker
        to find out."""
        if self._markers or self._holds:
            too_old = time.monotonic() - HOLD_AT_MOST
            self._markers = {m: since for m, since in self._markers.items() if since >= too_old}
            self._holds = {hold for hold in self._holds if hold.since >= too_old}
            if self._holds or (self._markers and not self._more_text_for_the_same_field(event)):
                return True
        try:
            screen = self.screen
        except Exception:  # no screen yet, or no more: Textual decides
            return False
        if screen is not self._last_ready_screen() and not self._screen_is_ready(screen):
            return True
        # A key typed before the focused widget asked for what it waits for (a table's
        # rows) was typed before they could be seen: it waits for them. One typed since
        # acts on what is shown (a "loading" table), as it does typed slowly.
        before = getattr(screen.focused, "holds_keys_typed_before", None)
        return before is not None and arrived < before

    def _screen_is_ready(self, screen: Screen[Any]) -> bool:
        """Whether `screen` is ready for keys; if not known, sends it a marker to find out."""
        if screen not in self._ready_screens:
            asked = self._screen_asked
            if asked is None or asked[0]() is not screen:
                self._screen_asked = (weakref.ref(screen), time.monotonic())
                self._send_marker(screen, lambda: self._screen_ready(screen))
                return False
            if time.monotonic() - asked[1] < HOLD_AT_MOST:
                return False
            self._ready_screens.add(screen)
        self._last_ready_screen = weakref.ref(screen)
        return True

    def _more_text_for_the_same_field(self, event: Held) -> bool:
        """Whether `event` is text for the field that every key still on its way is
        text for: it goes into the same queue behind them, and the field takes every
        printable key as text, so it need not wait (a URI of 80 characters from `tmux
        send-keys` is typed as quickly as before)."""
        if not (isinstance(event, events.Key) and event.is_printable):
            return False
        focused = self.focused
        return focused is not None and all(m.typed_into is focused for m in self._markers)

    def _replay_next(self) -> None:
        self.call_next(self._replay)

    def _screen_ready(self, screen: Screen[Any]) -> None:
        self._ready_screens.add(screen)
        self._replay_next()

    def _check_later(self) -> None:
        """While keys are held, look again now and then: no wait outlasts HOLD_AT_MOST."""
        if self._check_timer is None:
            self._check_timer = self.set_timer(CHECK_EVERY, self._check_now)

    def _check_now(self) -> None:
        # A timer's callback runs in a task of its own: replay from the app's queue.
        self._check_timer = None
        self.keys_may_flow()
        self._run_after_keys()

    # -- markers ---------------------------------------------------------------------

    def _send_marker(
        self, origin: DOMNode, back: Callable[[], None], typed_into: DOMNode | None = None
    ) -> None:
        """Send a marker from `origin` up to the app; `back()` runs when it is home."""
        marker = _Marker(self, origin, back, typed_into)
        self._markers[marker] = time.monotonic()
        marker.go_to(origin)

    def _marker_home(self, marker: _Marker) -> None:
        if self._markers.pop(marker, None) is not None:
            marker.back()
            self._run_after_keys()


class _Marker:
    """A marker on its way up from `origin` to the app, one stop at a time.

    At each stop it is a callback in that node's queue, so it runs once the node has
    handled what was queued before it. Then it queues itself once more, behind what
    the node posted to itself meanwhile (Input.Submitted, a table's RowSelected and
    what its pane makes of it), and again while messages are queued there (a few
    times at most), then goes on to the node's parent. Home, if a node on its way
    has messages queued again (what the key's binding, run at the app, posted to the
    widget or its ancestors: the images pane's ImageAction, which opens the retag
    dialog), it makes the trip a second time. `typed_into`: the field the key it
    follows was text for, if it was.
    """

    __slots__ = ("app", "back", "laps_left", "node", "origin", "typed_into", "visits_left")

    # How often a marker queues itself again at one node, and makes the trip again.
    VISITS = 3
    LAPS = 2
    # Read by Textual's `invoke`: without it, every stop inspected this callable's
    # signature, which cost more than all the rest of a stop.
    _param_count = 0

    def __init__(
        self,
        app: KeyOrderedApp,
        origin: DOMNode,
        back: Callable[[], None],
        typed_into: DOMNode | None,
    ) -> None:
        self.app = app
        self.origin = origin
        self.back = back
        self.typed_into = typed_into
        self.laps_left = self.LAPS
        self.node: DOMNode = origin
        self.visits_left = 0

    def go_to(self, node: DOMNode) -> None:
        """Queue the next stop at `node`; on past `node` if it takes no more messages."""
        self.node, self.visits_left = node, self.VISITS
        if not node.post_message(events.Callback(callback=self)):
            self.visits_left = 0
            self()

    def __call__(self) -> None:
        """A stop: behind what the node queued meanwhile, else on up, else home."""
        app, node = self.app, self.node
        if self not in app._markers:
            return  # given up on (HOLD_AT_MOST), or overtaken by the next character's
        # Once more in any case: the message after this one may have been taken from
        # the queue already (Textual looks one ahead), where the size does not count it.
        if self.visits_left == self.VISITS or (self.visits_left and node.message_queue_size):
            self.visits_left -= 1
            if node.post_message(events.Callback(callback=self)):
                return
        if node is not app:
            self.go_to(node.parent or app)
            return
        self.laps_left -= 1
        if self.laps_left and any(
            n.message_queue_size for n in self.origin.ancestors_with_self if n is not app
        ):
            self.go_to(self.origin)
        else:
            app._marker_home(self)


def _takes_text(widget: DOMNode) -> bool:
    """Whether `widget` takes every printable key as text, and does nothing else with it."""
    return isinstance(widget, Input) or (isinstance(widget, TextArea) and not widget.read_only)


def wait_for_messages_of(widget: DOMNode) -> None:
    """Keys after this one wait until what `widget` has just been asked to do is done.

    For a priority binding whose action posts messages that open something (enter on
    a table row): a plain binding's key is followed that far already.
    """
    app = widget.app
    if isinstance(app, KeyOrderedApp):
        app.keys_wait_for(widget)


def keys_may_flow(widget: DOMNode) -> None:
    """`widget` no longer holds keys (its `holds_keys_typed_before` is None): let them go."""
    app = widget.app
    if isinstance(app, KeyOrderedApp):
        app.keys_may_flow()
