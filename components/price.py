"""Pure Plotly figure builders for prices (data in, ``go.Figure`` out)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

PLOTLY_CONFIG: dict[str, object] = {
    "toImageButtonOptions": {"format": "png", "scale": 2},
    "displaylogo": False,
}


def moving_average(close: pd.Series, window: int = 200) -> pd.Series:
    """Simple moving average: mean of the last ``window`` closes (NaN until ``window`` exist)."""
    return close.rolling(window, min_periods=window).mean()


def price_with_average(close: pd.Series, title: str, source: str, window: int = 200) -> go.Figure:
    """Line chart of ``close`` with its ``window``-day simple average, title, as-of and source."""
    if close.empty:
        raise ValueError(f"{title}: no prices to draw")
    average = moving_average(close, window)
    fig = go.Figure()
    fig.add_scatter(x=close.index, y=close.to_numpy(), name="Close", line={"width": 1.4})
    fig.add_scatter(
        x=average.index, y=average.to_numpy(), name=f"{window}-day average", line={"width": 2}
    )
    as_of = pd.Timestamp(close.index[-1]).strftime("%Y-%m-%d")
    fig.update_layout(
        title=f"{title}<br><sup>As of {as_of}</sup>",
        template="plotly_white",
        legend={"orientation": "h", "y": -0.15},
        margin={"t": 70, "b": 80},
    )
    fig.add_annotation(
        text=f"Source: {source}", xref="paper", yref="paper", x=1, y=-0.25, showarrow=False
    )
    return fig
