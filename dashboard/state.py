"""The one place the app caches, and the settings every page shares.

Pages never wait on the network: they read what the store (or the manifest folder of
``INVESTABLE_DATA_DIR``) holds; refreshes run in the background (:mod:`dashboard.refresher`).

Caching rule: every cache (series, status, model, backtests, figures) is keyed by the source's
**generation** (:func:`store_generation`), read once at the start of each run
(:func:`begin_run`). A refresh that lands, from this app or from another writer such as the
scheduled job, changes the generation, so every session sees the new data on its next run; no
time-to-live is needed. For the default settings the model and backtests come from the
precomputed artifact of that generation when there is one (:mod:`dashboard.precompute`).

Keys hold only what a result depends on: each indicator's backtest, the generation, that
indicator's own threshold and publication rule, the costs and the end date (never the
composite's threshold); the composite's, every model setting; an indicator's figure, the same
as its backtest plus the as-of date (:func:`indicator_settings`). A new composite threshold
recomputes one backtest, not 22, and no indicator figure; nor does it evaluate the 21
indicators again: the model of a composite threshold is derived from the model of the same
indicator settings (:func:`with_invest_threshold`, sharing its results). Backtests live in a
:class:`~dashboard.keyed_cache.KeyedCache` so the missing ones of a page are computed together.

Memory bounds (issue #15): ``BACKTEST_ENTRIES`` backtests (four settings or dates of all 22),
``FIGURE_ENTRIES`` figures, four indicator models and sixteen derived ones (which share those
four's frames); parquet reads use the system allocator (see ``pyarrow.set_memory_pool`` below).

Read-only rule: the loaded series, the model, the backtests and the figures are cached as
shared objects (``st.cache_resource``, the backtests' cache), so every session of the process
receives the *same* object, not a copy. Pages read them and
never change them in place (no ``inplace=True``, no assignment into their frames or series, no
``fig.update_*`` on a cached figure): derive a new frame (``.copy()``, ``.assign``, arithmetic)
or build a new figure instead. ``tests/dashboard/test_shared_cache_read_only.py`` runs every
page and checks each cached object still equals its snapshot taken when it was computed.

Settings live in ``st.session_state`` (set on the Data page); the as-of date and the composite's
threshold are sidebar widgets bound to the URL (``?as_of=YYYY-MM-DD&threshold=0.6``), so a link
reproduces a view.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyarrow
import streamlit as st
from plotly.graph_objects import Figure

from analytics.backtest import BacktestResult, BacktestSettings, backtest_model
from analytics.catalog import CATALOG
from analytics.errors import AnalyticsError, InvalidSetting, NotEnoughData
from analytics.gauge import DailyGauge
from analytics.model import ModelResult, ModelSettings, evaluate
from dashboard import stored_charts
from dashboard.access import secret
from dashboard.freshness import is_stale, newest_market_close, sessions_between
from dashboard.keyed_cache import KeyedCache
from dashboard.precompute import Precomputed, read_precomputed
from dashboard.refresher import Refresher
from data_sources.folder import FolderSource, SeriesInfo
from data_sources.generations import Generation
from data_sources.source import SeriesSource
from data_sources.store import Store

if TYPE_CHECKING:  # the alerts' delivery imports requests: only the Data page needs them
    from dashboard.alerts.ledger import Ledger

# Memory: pyarrow's default pool (mimalloc) keeps what every parquet read allocated for later
# reuse, about 35 MiB of resident memory once the store's ~50 series are loaded, for frames of
# 7 MiB; the system allocator gives it back (the reads take as long).
pyarrow.set_memory_pool(pyarrow.system_memory_pool())

DEFAULT_BACKTEST = BacktestSettings()
DEFAULT_INVEST_THRESHOLD = ModelSettings().invest_threshold
GENERATION_KEY = "_store_generation"


def data_dir() -> str | None:
    """The manifest folder from ``INVESTABLE_DATA_DIR``, or None for the local store."""
    return os.environ.get("INVESTABLE_DATA_DIR") or None


def fred_key() -> str | None:
    """``FRED_API_KEY`` from Streamlit secrets or the environment (never shown anywhere)."""
    return secret("FRED_API_KEY") or os.environ.get("FRED_API_KEY") or None


def today() -> pd.Timestamp:
    """Today's date: ``INVESTABLE_TODAY`` (YYYY-MM-DD, for tests and demos) or the clock's."""
    frozen = os.environ.get("INVESTABLE_TODAY")
    return pd.Timestamp(frozen).normalize() if frozen else pd.Timestamp.now().normalize()


def open_store() -> Store:
    """The store at ``INVESTABLE_STORE`` from Streamlit secrets or the environment (else the user
    cache folder). Reading the secret first also loads the secrets, which Streamlit exposes as
    environment variables: the store's credentials (``AWS_*``) come from there."""
    return Store(secret("INVESTABLE_STORE") or None, fred_key=fred_key())


def source(folder: str | None) -> SeriesSource:
    return FolderSource(folder) if folder else open_store()


def store_location(store: Store) -> str:
    """Where the store lives (its URL or folder), for display and as the refresher's key."""
    return store.location


def _fingerprint(parts: list[tuple[object, ...]]) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


def store_generation(store: Store) -> str:
    """The store's generation as a cache key: ``"g<n>"``, or ``"empty"`` before the first
    commit. Every import and every refresh that stores something commits a new generation."""
    value = store.generation
    return "empty" if value is None else f"g{value}"


def folder_generation(folder: str) -> str:
    """A fingerprint of a manifest folder: name, size and modification time of every file."""
    root = Path(folder).expanduser()
    files = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else []
    stats = [(str(p.relative_to(root)), p.stat().st_size, p.stat().st_mtime_ns) for p in files]
    return "f" + _fingerprint(stats)  # type: ignore[arg-type]


def generation(folder: str | None = None) -> str:
    """The generation of the source this run reads (read once per run, see :func:`begin_run`)."""
    folder = _chosen(folder)
    known = st.session_state.get(GENERATION_KEY)
    if known is not None and known[0] == folder:
        return str(known[1])
    return begin_run(folder)


def begin_run(folder: str | None = None) -> str:
    """Read the source's generation for this run (app.py calls it first on every run): the
    folder's fingerprint, or the store's location and generation (two stores may both be at
    generation 1)."""
    folder = _chosen(folder)
    if folder:
        value = folder_generation(folder)
    else:
        store = open_store()
        value = f"{store_location(store)}#{store_generation(store)}"
    st.session_state[GENERATION_KEY] = (folder, value)
    return value


def price_choices(series: dict[str, pd.DataFrame], labels: dict[str, str]) -> dict[str, str]:
    """The price series of ``labels`` that are loaded; stops the page with a note when none is."""
    available = {key: label for key, label in labels.items() if key in series}
    if not available:
        names = " or ".join(labels.values())
        st.info(f"No {names} prices yet. Load data on the **Data** page.")
        st.stop()
    return available


def describe_source(folder: str | None) -> str:
    return f"folder {folder}" if folder else f"local store {store_location(open_store())}"


@st.cache_resource(max_entries=4, show_spinner="Loading series…")
def _load_all(folder: str | None, generation: str) -> dict[str, pd.DataFrame]:
    return source(folder).load_many()


def _chosen(folder: str | None) -> str | None:
    return folder if folder is not None else data_dir()


def load_all(folder: str | None = None) -> dict[str, pd.DataFrame]:
    """Every series of the source (default: this app's), loaded once per generation.

    The frames are the cached ones, shared by every session, not a copy per call: read them,
    never change them in place (see the module's read-only rule)."""
    folder = _chosen(folder)
    return _load_all(folder, generation(folder))


@st.cache_data(max_entries=4, show_spinner=False)
def _series_status(folder: str | None, generation: str) -> list[SeriesInfo]:
    chosen = source(folder)
    if isinstance(chosen, FolderSource):
        return [chosen.info(key) for key in chosen.keys()]  # noqa: SIM118 (a source)
    return list(chosen.status()) if hasattr(chosen, "status") else []


def series_status(folder: str | None = None) -> list[SeriesInfo]:
    """Source, range, rows and last error of every series (for a store: every live series too,
    with 0 rows until it is loaded)."""
    folder = _chosen(folder)
    return _series_status(folder, generation(folder))


@st.cache_data(max_entries=4, show_spinner=False)
def _history(location: str, generation: str) -> list[Generation]:
    return open_store().generations()


def history() -> list[Generation]:
    """The store's kept generations, newest first, read once per generation."""
    store = open_store()
    return _history(store.location, generation(None))


@st.cache_resource(max_entries=4, show_spinner=False)
def _ledger(location: str, generation: str) -> Ledger:
    from dashboard.alerts.ledger import read_ledger

    return read_ledger(open_store())


def alert_ledger() -> Ledger:
    """What the alerts sent, per channel, read once per store generation (pages only read it)."""
    store = open_store()
    return _ledger(store.location, generation(None))


def is_empty(folder: str | None = None) -> bool:
    """The source holds no rows at all."""
    return not any(info.rows for info in series_status(folder))


def data_as_of(folder: str | None = None) -> pd.Timestamp | None:
    """The newest market close (SPY or the S&P 500 index) the source holds."""
    return newest_market_close({info.key: info.last for info in series_status(folder)})


@dataclass(frozen=True)
class Freshness:
    """The newest market close and how many NYSE sessions have passed since (to yesterday)."""

    as_of: pd.Timestamp | None
    sessions_missing: int
    stale: bool


def freshness(folder: str | None = None) -> Freshness:
    """See :mod:`dashboard.freshness` for the rule (stale after more than 3 missing sessions)."""
    newest = data_as_of(folder)
    if newest is None:
        return Freshness(None, 0, False)
    now = today()
    return Freshness(newest, sessions_between(newest, now), is_stale(newest, now))


def last_fetch(folder: str | None = None) -> pd.Timestamp | None:
    """When any series was last fetched (UTC), or None."""
    stamps = [info.fetched_at for info in series_status(folder) if info.fetched_at is not None]
    return max(pd.Timestamp(s) for s in stamps) if stamps else None


@st.cache_resource(show_spinner=False)
def _refresher(location: str) -> Refresher:
    return Refresher(open_store, generation_of=store_generation)


def refresher() -> Refresher:
    """The process's one background refresh job for the store this app writes."""
    return _refresher(store_location(open_store()))


@st.cache_resource(max_entries=4, show_spinner="Loading the precomputed model…")
def _precomputed(folder: str | None, generation: str) -> Precomputed | None:
    return None if folder else read_precomputed(open_store())


def stored_report_charts() -> stored_charts.StoredCharts | None:
    """The key charts the last refresh drew for the latest week's report at the default
    settings (:mod:`dashboard.stored_charts`), or None (a folder source, none stored)."""
    folder = _chosen(None)
    return None if folder else stored_charts.stored_report_charts(open_store())


def precomputed_gauge() -> DailyGauge | None:
    """The daily sentiment gauge the last refresh precomputed for the store's current generation
    under the default publication rules, or None (a folder source, no artifact)."""
    folder = _chosen(None)
    found = _precomputed(folder, generation(folder))
    return None if found is None else found.gauge


@st.cache_resource(max_entries=4, show_spinner="Computing 21 indicators over the history…")
def _indicators_model(
    folder: str | None,
    generation: str,
    thresholds: tuple[tuple[str, float], ...],
    releases: tuple[tuple[str, int, int | None, int | None], ...] = (),
) -> ModelResult:
    """The model at the default composite threshold: the precomputed one for the default
    settings, else ``evaluate`` (the 21 indicators over the whole history)."""
    if not thresholds and not releases:
        found = _precomputed(folder, generation)
        if found is not None:
            return found.model
    specs = {spec.id: spec for spec in CATALOG}
    settings = ModelSettings(
        thresholds=dict(thresholds),
        releases={
            key: replace(specs[key].release, lag_days=lag, months_after=months, day=day)
            for key, lag, months, day in releases
        },
    )
    return evaluate(load_all(folder), settings)


def with_invest_threshold(base: ModelResult, invest_threshold: float) -> ModelResult:
    """``base`` with another composite threshold: only the decision changes, ``invested`` =
    ``composite > invest_threshold`` (SPEC section 3, as :func:`analytics.engine.evaluate`
    computes it), and the settings; the indicators, composite and category scores are
    ``base``'s own objects, shared, not copied. Raises ``InvalidSetting`` outside 0..1 as
    ``evaluate`` does."""
    if invest_threshold == base.settings.invest_threshold:
        return base
    if not 0.0 <= invest_threshold <= 1.0:
        raise InvalidSetting(
            f"the composite threshold must be between 0 and 1 (got {invest_threshold})"
        )
    return replace(
        base,
        invested=(base.composite > invest_threshold).rename("invested"),
        settings=replace(base.settings, invest_threshold=invest_threshold),
    )


@st.cache_resource(max_entries=16, show_spinner=False)
def _model(
    folder: str | None,
    generation: str,
    thresholds: tuple[tuple[str, float], ...],
    invest_threshold: float,
    releases: tuple[tuple[str, int, int | None, int | None], ...] = (),
) -> ModelResult:
    """The model under every setting. A new composite threshold does not evaluate the 21
    indicators again: it derives the decision from the model of the same indicator settings
    (:func:`with_invest_threshold`), which shares their results (memory: one set per
    indicator settings, not one per composite threshold)."""
    base = _indicators_model(folder, generation, thresholds, releases)
    return with_invest_threshold(base, invest_threshold)


Thresholds = tuple[tuple[str, float], ...]
Releases = tuple[tuple[str, int, int | None, int | None], ...]
Costs = tuple[float, float, float, str]
# Memory bound: each backtest holds three daily series over the history (about 0.2 MB), so
# four settings or as-of dates of the composite and its 21 indicators, about 20 MB at most.
BACKTEST_ENTRIES = 4 * 22
_BACKTESTS: KeyedCache[BacktestResult | None] = KeyedCache(BACKTEST_ENTRIES)


def own_settings(
    key: str, thresholds: Thresholds, releases: Releases
) -> tuple[float | None, tuple[int, int | None, int | None] | None]:
    """An indicator's own changed threshold and publication rule (None = the catalog's)."""
    threshold = dict(thresholds).get(key)
    release = next((tuple(r[1:]) for r in releases if r[0] == key), None)
    return threshold, release  # type: ignore[return-value]


def backtest_keys(
    folder: str | None,
    generation: str,
    thresholds: Thresholds,
    invest_threshold: float,
    releases: Releases,
    costs: Costs,
    end: pd.Timestamp,
) -> dict[str, Hashable]:
    """The cache key of every backtest, holding only what it depends on: an indicator's, the
    source's generation, its own threshold and publication rule, the costs and the end date
    (never the composite's threshold or another indicator's settings); the composite's, every
    setting of the model, the costs and the end date. Composite first, then the catalog's
    order (the order of ``backtest_model``)."""
    common = (folder, generation, costs, end)
    keys: dict[str, Hashable] = {
        "composite": ("composite", *common, thresholds, invest_threshold, releases)
    }
    for spec in CATALOG:
        keys[spec.id] = (spec.id, *common, own_settings(spec.id, thresholds, releases))
    return keys


def _compute_backtests(
    folder: str | None,
    generation: str,
    thresholds: Thresholds,
    invest_threshold: float,
    releases: Releases,
    costs: Costs,
    end: pd.Timestamp,
    wanted: list[str],
) -> dict[str, BacktestResult | None]:
    """The backtests of ``wanted`` (None for a signal never available up to ``end``): from the
    generation's precomputed artifact where their settings are the defaults, the rest computed
    in one ``backtest_model`` call."""
    found: dict[str, BacktestResult | None] = {}
    pre = _precomputed(folder, generation) if costs == DEFAULT_COSTS else None
    if pre is not None and pre.end == end:
        for key in wanted:
            if key == "composite":
                default = not thresholds and not releases
                default = default and invest_threshold == DEFAULT_INVEST_THRESHOLD
            else:
                default = own_settings(key, thresholds, releases) == (None, None)
            if default:
                found[key] = pre.backtests.get(key)
    rest = [key for key in wanted if key not in found]
    if rest:
        capital, commission, spread, cash = costs
        settings = BacktestSettings(capital, commission, spread, cash, end=end)  # type: ignore[arg-type]
        model = _model(folder, generation, thresholds, invest_threshold, releases)
        computed = backtest_model(model, load_all(folder), settings, ids=rest)
        found.update({key: computed.get(key) for key in rest})
    return found


def _backtests(
    folder: str | None,
    generation: str,
    thresholds: Thresholds,
    invest_threshold: float,
    releases: Releases,
    costs: Costs,
    end: pd.Timestamp,
    ids: tuple[str, ...] | None = None,
) -> dict[str, BacktestResult]:
    """Every backtest (or those of ``ids``), each from the cache under its own key
    (:func:`backtest_keys`); the missing ones computed together. A new composite threshold
    recomputes only the composite's; a changed indicator threshold, that indicator's and the
    composite's."""
    keys = backtest_keys(folder, generation, thresholds, invest_threshold, releases, costs, end)
    if ids is not None:
        unknown = [key for key in ids if key not in keys]
        if unknown:
            raise KeyError(f"unknown backtest {unknown[0]!r}; known: {', '.join(keys)}")
        keys = {name: key for name, key in keys.items() if name in ids}
    found = _BACKTESTS.lookup(keys.values())
    missing = [name for name, key in keys.items() if key not in found]
    if missing:
        with st.spinner("Backtesting…"):
            computed = _compute_backtests(
                folder, generation, thresholds, invest_threshold, releases, costs, end, missing
            )
        fresh = {keys[name]: computed[name] for name in missing}
        _BACKTESTS.store(fresh)
        found.update(fresh)
    results = {name: found[key] for name, key in keys.items()}
    return {name: result for name, result in results.items() if result is not None}


FIGURE_ENTRIES = 48  # eight as-of dates of a six-chart page; a figure is about 1 MB in memory


@st.cache_resource(max_entries=FIGURE_ENTRIES)
def _figure(
    name: str, settings: tuple[object, ...], as_of: pd.Timestamp, _build: Callable[[], Figure]
) -> Figure:
    return _build()


def figure(
    name: str,
    as_of: pd.Timestamp,
    build: Callable[[], Figure],
    depends_on: tuple[object, ...] | None = None,
) -> Figure:
    """``build()``'s figure, built once per name, as-of date and ``depends_on`` (default: the
    data generation and every setting; pass only what the figure depends on, e.g.
    :func:`indicator_settings`, so that other settings reuse it). Plotly takes tens of
    milliseconds per figure, which a page of six charts would pay on every rerun."""
    settings = (
        depends_on
        if depends_on is not None
        else (
            data_dir(),
            generation(),
            threshold_overrides(),
            invest_threshold(),
            release_overrides(),
            backtest_costs(),
        )
    )
    return _figure(name, settings, as_of, build)


def indicator_settings(key: str) -> tuple[object, ...]:
    """What an indicator's results depend on: the source and its generation, the indicator's
    own threshold and publication rule, and the backtest costs (not the composite's threshold,
    not another indicator's settings)."""
    own = own_settings(key, threshold_overrides(), release_overrides())
    return (data_dir(), generation(), key, own, backtest_costs())


def forget_data() -> None:
    """Drop every cached series, model, backtest and figure (frees memory after a write; the
    generation key alone already makes the next run read the new data)."""
    _load_all.clear()
    _series_status.clear()
    _precomputed.clear()
    _indicators_model.clear()
    _model.clear()
    _BACKTESTS.clear()
    _figure.clear()
    st.session_state.pop(GENERATION_KEY, None)


# ---- settings ------------------------------------------------------------------------------


def threshold_overrides() -> tuple[tuple[str, float], ...]:
    """Indicator thresholds that differ from the catalog's defaults, as a hashable tuple."""
    chosen = st.session_state.get("thresholds", {})
    defaults = {spec.id: spec.threshold for spec in CATALOG}
    return tuple(sorted((k, float(v)) for k, v in chosen.items() if defaults.get(k) != v))


def release_overrides() -> tuple[tuple[str, int, int | None, int | None], ...]:
    """Publication rules changed on the Data page: (id, lag_days, months_after, day) each."""
    chosen = st.session_state.get("releases", {})
    changed = []
    for spec in CATALOG:
        if spec.id not in chosen:
            continue
        release = spec.release
        value = tuple(chosen[spec.id])
        if value != (release.lag_days, release.months_after, release.day):
            changed.append((spec.id, *value))
    return tuple(changed)


def invest_threshold() -> float:
    """The composite's threshold (sidebar slider, bound to ``?threshold=``), default 0.60."""
    return float(st.session_state.get("threshold", DEFAULT_INVEST_THRESHOLD))


def _costs(s: Any) -> tuple[float, float, float, str]:
    d = DEFAULT_BACKTEST
    return (
        float(s.get("capital", d.capital)),
        float(s.get("commission", d.commission)),
        float(s.get("spread_bp", d.spread * 10_000)) / 10_000,
        str(s.get("cash", d.cash)),
    )


DEFAULT_COSTS = _costs({})


def backtest_costs() -> tuple[float, float, float, str]:
    """(capital, commission, spread, cash) from the settings, defaults otherwise."""
    return _costs(st.session_state)


def model(folder: str | None = None) -> ModelResult:
    """The model under the current settings (raises ``NotEnoughData`` without prices for the
    clock, ``InvalidSetting`` for a setting out of range)."""
    chosen = _chosen(folder)
    return _model(
        chosen,
        generation(chosen),
        threshold_overrides(),
        invest_threshold(),
        release_overrides(),
    )


def backtests(as_of: pd.Timestamp, ids: Iterable[str] | None = None) -> dict[str, BacktestResult]:
    """The composite's and every indicator's backtest up to ``as_of``, or only those of ``ids``
    (ids of ``"composite"`` or indicators; a page showing a few computes only those). Signals
    never available up to ``as_of`` are left out; {} with a note on screen when backtests
    cannot run, e.g. T-bill cash without a T-bill series."""
    try:
        return _backtests(
            data_dir(),
            generation(),
            threshold_overrides(),
            invest_threshold(),
            release_overrides(),
            backtest_costs(),
            as_of,
            None if ids is None else tuple(ids),
        )
    except AnalyticsError as exc:
        st.warning(
            f"No backtests: {exc}. Check the settings on the Data page.", icon=":material/warning:"
        )
        return {}


# ---- the as-of date --------------------------------------------------------------------------


@dataclass(frozen=True)
class View:
    """What every page shows: the model and the decision date of the chosen as-of date."""

    model: ModelResult
    as_of: pd.Timestamp
    latest: bool


def requested_as_of() -> pd.Timestamp | None:
    """The sidebar's as-of date (bound to ``?as_of=YYYY-MM-DD``), or None for the latest."""
    chosen = st.session_state.get("as_of")
    return pd.Timestamp(chosen) if chosen else None


def current_view() -> View | None:
    """The model and the as-of decision date, or None with a note on screen: "No model yet"
    when the data is not enough (``NotEnoughData``), the setting's message when a setting made
    on the Data page is out of range (``InvalidSetting``). Anything else is a bug and surfaces."""
    try:
        result = model()
    except NotEnoughData as exc:
        st.info(f"No model yet: {exc}. Load data on the **Data** page.", icon=":material/info:")
        return None
    except InvalidSetting as exc:
        st.error(f"The settings cannot be used: {exc}. Change them on the **Data** page.")
        return None
    if len(result.calendar) == 0:
        st.info("The data holds no complete week of prices yet. Load data on the **Data** page.")
        return None
    wanted = requested_as_of()
    latest = result.calendar.index[-1]
    if wanted is None or wanted >= latest:
        return View(result, latest, True)
    if wanted < result.calendar.index[0]:
        first = result.calendar.index[0]
        st.warning(f"{wanted.date()} is before the first decision date; showing {first.date()}.")
        return View(result, first, False)
    return View(result, result.decision_date(wanted), False)
