"""Contexts: the profile and region the app browses, connected to and switched at runtime.

A context is a (profile, region) pair. Connecting to one (at start, and on every
switch) runs in a worker: the reader child process is told to read from the new
context (`RemoteReader.connect`: the same process, no second start), a new
`EcrService` is made for changes, and STS is asked who we are. Everything is
stamped with the context's *generation*: an answer that comes for an earlier
generation is dropped, so the previous context's data never shows in the new one.

Each context's place (repository, image, the panes' filters, the images' and the
findings' sort) is remembered while the app runs and restored when the user comes
back to it.
"""

from __future__ import annotations

import difflib
import functools
import os
import threading
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from textual.css.query import NoMatches
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget

from ecr_tui.config import ConfigError, load_settings
from ecr_tui.core.context_credentials import RoleCredentials
from ecr_tui.core.contexts import Profile, list_profiles, partition_of, regions_for
from ecr_tui.core.ecr import ConnectionSettings, EcrService
from ecr_tui.core.errors import explain_error
from ecr_tui.core.models import AccountInfo, Image, Repository
from ecr_tui.ui.context_credentials import prepare_profile
from ecr_tui.ui.key_bar import KeyBar
from ecr_tui.ui.mfa_renewal import MfaRenewal
from ecr_tui.ui.panes.base import Pane
from ecr_tui.ui.panes.findings import FindingsFilters, FindingsPane
from ecr_tui.ui.panes.images import ImagesPane
from ecr_tui.ui.panes.repositories import RepositoriesPane
from ecr_tui.ui.switch_queue import SwitchQueue

if TYPE_CHECKING:
    from ecr_tui.ui.app_host import AppHost

# How often the breadcrumb looks where the cursor is: off the keys' path, never a
# repaint per key (it repaints only when what it says changed).
BREADCRUMB_SECONDS = 0.3

# The region when neither the command line, the profile nor the environment names one
# (what the status line shows; boto3 would refuse to make a client).
FALLBACK_REGION = "us-east-1"


def _hand_refreshes_to(screen: Screen[object]) -> None:
    """The refreshes the widgets of `screen` asked for, handed to it now, in one frame.

    Textual hands a widget's refresh to its screen when the widget next idles. A
    switch closes a dialog (the command bar) over the panes, so their screen is
    repainted whole at once, and then a second time, for the panes the switch
    emptied: a frame the new context's first rows would wait behind. (Textual is
    pinned: `_check_refresh` is what a widget's idle calls.)
    """
    for widget in screen.walk_children():
        check_refresh = getattr(widget, "_check_refresh", None)
        if check_refresh is not None:
            check_refresh()


class ServiceReady(Message):
    """The ECR client of context `generation` exists: panes can start loading."""

    def __init__(self, generation: int, service: EcrService) -> None:
        super().__init__()
        self.generation = generation
        self.service = service


class AccountKnown(Message):
    """STS said who we are in context `generation`."""

    def __init__(self, generation: int, account: AccountInfo) -> None:
        super().__init__()
        self.generation = generation
        self.account = account


@dataclass(frozen=True, slots=True)
class Place:
    """Where the user was in a context: restored on coming back to it."""

    repository: str | None = None
    image_digest: str | None = None
    image_tag: str | None = None  # (a go-to by URI names a tag, not a digest)
    image_label: str = ""
    repository_filter: str = ""
    image_filter: str = ""
    image_sort: tuple[int, bool] = (0, True)
    findings_filters: FindingsFilters = field(default_factory=FindingsFilters)
    favourites_only: bool = False
    focused_table: str = "#repositories-table"  # the pane that had the focus: its table's


def _focused_table(focused: Widget | None, panes: tuple[Pane, ...]) -> str:
    """The selector of the table of the pane that has the focus (its filter box too)."""
    for pane in panes:
        if focused is not None and pane in focused.ancestors_with_self:
            return f"#{pane.table.id}"
    return "#repositories-table"


def closest(word: str, choices: list[str]) -> str:
    """' Did you mean X?' when one of `choices` is close to `word`, else ''."""
    matches = difflib.get_close_matches(word, choices, n=1, cutoff=0.5)
    return f" Did you mean {matches[0]}?" if matches else ""


def _profile_help(profile: Profile) -> str:
    """What the picker says under a profile's name."""
    words = [profile.kind.value]
    if profile.needs_mfa:
        words.append("MFA")
    if profile.region:
        words.append(profile.region)
    if profile.endpoint_url:
        words.append(profile.endpoint_url)
    return " · ".join(words)


class Contexts:
    """The app's context: connecting to it, switching it, and each one's place."""

    def __init__(self, app: AppHost, *, read_only_always: bool) -> None:
        self.app = app
        # --read-only holds in every context; the config file's read_only is per profile.
        self.read_only_always = read_only_always
        # The command line's endpoints: for every profile that names none of its own.
        self.base_endpoint_url = app.settings.endpoint_url
        self.base_sts_endpoint_url = app.settings.sts_endpoint_url
        self.generation = 0
        self.places: dict[tuple[str, str], Place] = {}
        self._profiles: list[Profile] | None = None
        self._connect_lock = threading.Lock()
        # A profile being prepared (credentials, MFA, SSO): switches typed meanwhile wait.
        self.queue = SwitchQueue(app)
        # The image to put the cursor on once its repository opens (a place restored).
        self._pending_image: Place | None = None
        # That place once its repository opened, while the images pane looks for its image.
        self._restoring_image: Place | None = None
        # Where the cursor is, as the status line shows it (see `breadcrumb`).
        self.crumbs: tuple[str, ...] = ()
        # A role assumed with MFA: a new code once its credentials expire.
        self.renewal = MfaRenewal(app, self._renew)

    # -- what there is to switch to ------------------------------------------------

    def profiles(self) -> list[Profile]:
        """The AWS config's profiles (read once: a few milliseconds, no network)."""
        if self._profiles is None:
            try:
                self._profiles = list_profiles()
            except Exception as error:  # a broken config file: botocore's own words
                self.app.notify(f"The AWS config cannot be read: {error}", severity="error")
                return []
        return self._profiles

    def profile_names(self) -> list[str]:
        """The profiles' names, sorted."""
        return [profile.name for profile in self.profiles()]

    def region(self) -> str:
        """The region browsed now: asked for, or the one STS answered in, or botocore's."""
        settings, account = self.app.settings, self.app.account
        if settings.region:
            return settings.region
        if account is not None and account.region:
            return account.region
        environment = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
        return environment or self._profile_region(settings.profile) or FALLBACK_REGION

    def profile_label(self) -> str:
        """The profile browsed now, as the user names it (botocore's when none was asked)."""
        return self.app.settings.profile or os.environ.get("AWS_PROFILE") or "default"

    def region_names(self) -> list[str]:
        """The regions of the current partition where ECR is offered."""
        return list(regions_for(self.region()))

    def _profile_region(self, name: str | None) -> str | None:
        found = self._find(name or "default")
        return found.region if found else None

    def _find(self, name: str) -> Profile | None:
        return next((p for p in self.profiles() if p.name == name), None)

    # -- where the cursor is ----------------------------------------------------------

    def start(self) -> None:
        """Connect, and keep the breadcrumb in the status line current."""
        self.app.set_interval(BREADCRUMB_SECONDS, self._follow_cursor)
        self.connect()

    def _follow_cursor(self) -> None:
        self.renewal.check()
        try:
            crumbs = self.breadcrumb()
            if crumbs != self.crumbs:
                self.crumbs = crumbs
                self.app.refresh_status()
        except NoMatches:  # the app is closing: its widgets are going
            return

    def breadcrumb(self) -> tuple[str, ...]:
        """The repository open, the image whose findings show, the finding under the
        cursor (while the findings pane has the focus): what the panes show, never a guess."""
        app = self.app
        images, findings = app.query_one(ImagesPane), app.query_one(FindingsPane)
        if images.repository is None:
            return ()
        crumbs = [images.repository.name]
        image = findings.image
        if image is None or image.repository != images.repository.name:
            return tuple(crumbs)
        crumbs.append(image.tags[0] if image.tags else image.short_digest)
        focused = app.focused
        finding = findings.table.current_row
        if finding is not None and focused is not None and findings in focused.ancestors:
            crumbs.append(finding.name)
        return tuple(crumbs)

    def connecting_label(self) -> str | None:
        """Where a switch is connecting to, for the status line (None: the first connection)."""
        if not self.generation:
            return None
        return f"{self.profile_label()} · {self.region()}"

    # -- connecting ----------------------------------------------------------------

    def connect(self) -> None:
        """Connect to the current context in the background (at start, or to retry)."""
        known = self._connect()
        if known is not None:
            self._service_ready(self.generation, known, self.app.read_only)

    def _connect(self) -> ConnectionSettings | None:
        """Ask the reader to connect: at once when the settings are known without
        waiting (after a switch; returned), else in a worker, which then says ServiceReady."""
        app, generation = self.app, self.generation
        settings, read_only = app.settings, app.read_only
        # After a switch all is known: the reader is asked at once, from this thread,
        # before the screen is laid out again for the new context (a worker's thread
        # would start after that, and wait for the GIL while it is drawn).
        known = self._known_connection(settings)
        if known is not None:
            self._ask_reader(generation, known)

        def work() -> None:
            connected = known
            if connected is None:
                connected = self._first_connection(settings)
                self._ask_reader(generation, connected)
                self._service_ready(generation, connected, read_only)
            app.post_message(AccountKnown(generation, self.who(connected)))
            # Now, not on the first switch's key: botocore's region data takes a few
            # hundred milliseconds to load.
            regions_for(connected.region)

        app.run_worker(work, thread=True, exclusive=True, group="connect", exit_on_error=False)
        return known

    def _known_connection(self, settings: ConnectionSettings) -> ConnectionSettings | None:
        """What the reader connects with, when it is known without waiting: after a
        switch (at start, the AWS config is read, or the demo's endpoint waited for, in
        the worker: the first frame comes first)."""
        if not self.generation:
            return None
        if self.app.demo_launch is not None and settings.endpoint_url is None:
            endpoint = self.app.demo_endpoint
            return None if endpoint is None else settings.at_demo_endpoint(endpoint.url)
        return self._with_profile_endpoint(settings)

    def _first_connection(self, settings: ConnectionSettings) -> ConnectionSettings:
        """The settings the reader connects with, once the demo's endpoint is ready."""
        app = self.app
        if app.demo_launch is not None and settings.endpoint_url is None:
            # (The same settings as the CLI's read-ahead: the reader keeps its answers.)
            app.demo_endpoint = app.demo_launch.wait_ready()
            url = app.demo_endpoint.url
            self.base_endpoint_url = self.base_sts_endpoint_url = url
            return settings.at_demo_endpoint(url)
        return self._with_profile_endpoint(settings)

    def _service_ready(
        self, generation: int, connected: ConnectionSettings, read_only: bool
    ) -> None:
        # Changes go through this process's own client, made when first needed (cheap
        # to make here); in read-only mode it refuses, before sending, all but reads.
        self.app.post_message(ServiceReady(generation, EcrService(connected, read_only=read_only)))

    def _ask_reader(self, generation: int, connected: ConnectionSettings) -> None:
        with self._connect_lock:
            if generation != self.generation:
                return  # switched again meanwhile: the reader must follow the newer one
            self.app.reader.connect(connected)
            # Listed from now, not after a hop through the UI thread (the
            # repositories pane takes this answer when it loads).
            self.app.reader.prefetch("repositories")

    def _with_profile_endpoint(self, settings: ConnectionSettings) -> ConnectionSettings:
        """`settings`, with the endpoint the profile names when the command line named none:
        botocore would use it anyway, and the status line must say so."""
        if settings.endpoint_url is not None or settings.demo:
            return settings
        profile = self._find(self.profile_label())
        if profile is None or profile.endpoint_url is None:
            return settings
        return replace(settings, endpoint_url=profile.endpoint_url)

    def identify(self) -> None:
        """Ask who we are again (connected, but STS or ECR refused the first time)."""
        app, generation = self.app, self.generation
        settings = app.service.settings if app.service is not None else app.settings

        def work() -> None:
            app.post_message(AccountKnown(generation, self.who(settings)))

        app.run_worker(work, thread=True, exclusive=True, group="connect", exit_on_error=False)

    def who(self, settings: ConnectionSettings) -> AccountInfo:
        """Who we are; never a failure: listings do not need it (the account is also in
        the repositories' ARNs), so the status line must not say "not connected" for it."""
        try:
            return self.app.reader.account_info()
        except Exception as error:
            return AccountInfo(
                account_id="",
                region=settings.region or "",
                endpoint=settings.endpoint_label,
                profile=settings.profile,
                identity_problem=explain_error(error).title,
            )

    def is_current(self, generation: int) -> bool:
        """Whether an answer stamped `generation` belongs to the context shown."""
        return generation == self.generation

    # -- switching -----------------------------------------------------------------

    def switch(self, *, profile: str | None = None, region: str | None = None) -> None:
        """Browse `profile` and/or `region` from now on; bad names change nothing.

        A new profile brings its own region (when its config names one) unless
        `region` is given; otherwise the region browsed now is kept. While another
        profile is being prepared, this waits to go on top of it (see switch_queue).
        """
        app = self.app
        words = " ".join(f":{k} {v}" for k, v in (("profile", profile), ("region", region)) if v)
        if self.queue.holds(words, lambda: self.switch(profile=profile, region=region)):
            return
        if profile is None and region is None:
            app.notify("Name a profile or a region to switch to.", severity="warning")
            return
        target = self._find(profile) if profile is not None else None
        if profile is not None and target is None:
            names = self.profile_names()
            known = ", ".join(names) if names else "none"
            app.notify(
                f"No profile {profile!r} in the AWS config.{closest(profile, names)} "
                f"Profiles: {known}.",
                title="Unknown profile",
                severity="error",
            )
            return
        new_profile = profile if profile is not None else app.settings.profile
        if region is None:
            region = (target.region if target else None) or self.region()
        partition_from = (target.region if target else None) or self.region()
        allowed = regions_for(partition_from)
        if region not in allowed:
            partition = partition_of(partition_from)
            app.notify(
                f"No region {region!r} in the {partition} partition, where ECR is offered."
                f"{closest(region, list(allowed))}",
                title="Unknown region",
                severity="error",
            )
            return
        try:
            user = load_settings(new_profile, demo=app.settings.demo)
            read_only = self.read_only_always or user.read_only
        except ConfigError as error:
            app.notify(str(error), title="Config", severity="error")
            return
        if (new_profile or self.profile_label(), region) == self._key():
            if self.renewal.expired or self.renewal.asked:
                self.renewal.offer()  # the way to a new MFA code, once it was refused
                return
            app.notify(f"Already browsing {self.profile_label()} in {region}.", timeout=3)
            return
        if target is None or target.name == self.profile_label():
            self._enter(new_profile, region, read_only, None)  # same profile, same credentials
            self.renewal.moved_to(region)
            return
        pending = self.queue.start(target.name, region, f"{self.profile_label()} · {self.region()}")

        def enter(credentials: RoleCredentials | None) -> None:
            self.queue.entered(
                pending, lambda: self._enter(new_profile, region, read_only, target, credentials)
            )

        prepare_profile(app, target, region, enter, functools.partial(self.queue.failed, pending))

    def _enter(
        self,
        profile: str | None,
        region: str,
        read_only: bool,
        target: Profile | None,
        credentials: RoleCredentials | None = None,
    ) -> None:
        """Leave the current context (its place kept) and connect to the new one.

        `target` is the new profile (None: the same profile, its credentials kept).
        """
        app = self.app
        # A details view or a dialog over the panes belongs to the context being left.
        while len(app.screen_stack) > 1:
            app.pop_screen()
        self.remember()
        self.generation += 1
        settings = replace(app.settings, profile=profile, region=region)
        if target is not None:
            endpoint = target.endpoint_url or self.base_endpoint_url
            keys = credentials.keys if credentials is not None else None
            settings = replace(settings, endpoint_url=endpoint, credentials=keys)
            self.renewal.follow(target, region, credentials)
        elif app.service is not None:
            # Same profile: same endpoint (the profile's, found when connecting).
            settings = replace(settings, endpoint_url=app.service.settings.endpoint_url)
        app.settings = replace(settings, sts_endpoint_url=self.base_sts_endpoint_url)
        app.read_only = read_only
        app.screen_stack[0].query_one(KeyBar).show_keys()  # (without n New repo, read-only)
        app.service, app.account, app.connection_problem = None, None, None
        known = self._connect()  # first: the reader lists while the panes are left
        self._leave_panes(f"Connecting to {profile or 'default'} in {region}…")
        if known is not None:
            # In this handler, not by a message: the panes ask for their rows before
            # the screen is drawn for the new context, not after that frame.
            app.use_service(self.generation, EcrService(known, read_only=read_only))
        app.refresh_status()
        _hand_refreshes_to(app.screen_stack[0])

    def _renew(self, credentials: RoleCredentials) -> None:
        """The role's new credentials: the same context again, its place kept."""
        profile = self.profile_label()
        self._enter(profile, self.region(), self.app.read_only, self._find(profile), credentials)

    def _leave_panes(self, why: str) -> None:
        """Nothing of the context left behind stays on screen."""
        self._pending_image = self._restoring_image = None
        self.crumbs = ()  # (the place left: while connecting, no place is shown)
        app = self.app
        repositories = app.query_one(RepositoriesPane)
        repositories.forget(why)
        # The new profile's favourites, and all of them shown until its place says otherwise.
        repositories.favourites_only = False
        app.show_favourites()
        app.query_one(ImagesPane).forget("Choose a repository.")
        app.query_one(FindingsPane).show_nothing()
        app.query_one("#repositories-table").focus()

    def _key(self) -> tuple[str, str]:
        return (self.profile_label(), self.region())

    def remember(self) -> None:
        """Keep where the user is in the current context."""
        app = self.app
        repositories, images = app.query_one(RepositoriesPane), app.query_one(ImagesPane)
        findings = app.query_one(FindingsPane)
        repository: Repository | None = repositories.table.current_row
        name = repository.name if repository else None
        image: Image | None = images.table.current_row if images.repository else None
        if image is not None and (image.repository != name or not images.cursor_row_is_meant):
            image = None  # (restored as the images' default instead: the newest first)
        kept = Place(
            image_digest=image.digest if image else None,
            image_label=(image.tags[0] if image.tags else image.short_digest) if image else "",
        )
        restoring = self._restoring_image
        # The place restored, its image not listed yet: that image is still the one meant.
        if image is None and restoring is not None and restoring.repository == name:
            kept = restoring if images.awaits_wanted else kept
        self.places[self._key()] = Place(
            repository=name,
            image_digest=kept.image_digest,
            image_tag=kept.image_tag,
            image_label=kept.image_label,
            repository_filter=repositories.filter_box.value,
            image_filter=images.filter_box.value,
            image_sort=images.sort_state,
            findings_filters=findings.filters,
            favourites_only=repositories.favourites_only,
            focused_table=_focused_table(app.focused, (repositories, images, findings)),
        )

    def restore(self) -> None:
        """Load the repositories, and go back to where the user was in this context."""
        app = self.app
        repositories, images = app.query_one(RepositoriesPane), app.query_one(ImagesPane)
        repositories.load(app.reader)
        if not self.generation:
            return  # the first context: nothing to restore (nor config to read meanwhile)
        place = self.places.get(self._key(), Place())
        repositories.set_filter(place.repository_filter)
        repositories.favourites_only = place.favourites_only
        app.show_favourites()
        app.query_one(place.focused_table).focus()
        images.set_filter(place.image_filter)
        images.restore_sort(*place.image_sort)
        app.query_one(FindingsPane).restore_filters(place.findings_filters)
        if place.repository is not None:
            name = place.repository
            if place.image_digest is not None or place.image_tag is not None:
                self._pending_image = place
            repositories.select_when_loaded(lambda repo: repo.name == name)

    def repository_opened(self, repository: Repository) -> None:
        """The images pane shows `repository`: the image of a restored place, if any."""
        place, self._pending_image = self._pending_image, None
        self._restoring_image = None
        if place is None or place.repository != repository.name:
            return
        self._restoring_image = place
        digest, tag = place.image_digest, place.image_tag
        images = self.app.query_one(ImagesPane)
        if digest is not None:
            images.select_when_loaded(lambda image: image.digest == digest, place.image_label)
        elif tag is not None:
            images.select_when_loaded(lambda image: tag in image.tags, tag, announce=True)

    def go_to_in_region(
        self, region: str, repository: str, tag: str | None, digest: str | None
    ) -> None:
        """Switch to `region` (same profile) and land on `repository` and its image."""
        if self.queue.holds(
            f"going to {repository} in {region}",
            lambda: self.go_to_in_region(region, repository, tag, digest),
        ):
            return
        if region not in self.region_names():
            self.switch(region=region)  # explains why not
            return
        label = f"@{digest.removeprefix('sha256:')[:12]}" if digest else (tag or "")
        self.places[(self.profile_label(), region)] = Place(
            repository=repository, image_digest=digest, image_tag=tag, image_label=label
        )
        self.switch(region=region)

    # -- pickers (the palette's "Switch profile…" and "Switch region…") ---------------

    def pick_profile(self) -> None:
        """A filterable list of the profiles; choosing one switches to it."""
        current = self.profile_label()
        commands = [
            (
                profile.name + ("  (current)" if profile.name == current else ""),
                functools.partial(self.switch, profile=profile.name),
                _profile_help(profile),
            )
            for profile in self.profiles()
        ]
        if not commands:
            self.app.notify("The AWS config names no profile.", severity="warning")
            return
        self.app.search_commands(commands, placeholder="Switch to profile…")

    def pick_region(self) -> None:
        """A filterable list of the partition's regions; choosing one switches to it."""
        current = self.region()
        commands = [
            (
                region + ("  (current)" if region == current else ""),
                functools.partial(self.switch, region=region),
                None,
            )
            for region in self.region_names()
        ]
        self.app.search_commands(commands, placeholder=f"Switch region ({current} now)…")
