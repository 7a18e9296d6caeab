"""The drawing pad of "Your own digit": a Streamlit Components v2 element written here (inline HTML,
CSS and JavaScript; nothing third-party, nothing fetched at run time, so it works offline and on
Streamlit Community Cloud).

Draw with a mouse, a finger or a pen (Pointer Events, so all three behave alike); *Undo* removes
the last stroke, *Clear* all of them. The pad sends its strokes to Python when a stroke ends (not
on every pixel): a list of strokes, each a list of [x, y] points in [0, 1] with y pointing down.
Python renders them (``vae.preprocess.render_strokes``) with a pen width relative to the drawing,
so what reaches the model has MNIST's stroke width whatever the drawing's size. The strokes live
in the component's state (its key in Session State), so a drawing survives a rerun and a change of
model. Where no browser renders it (``AppTest``) the pad returns no strokes and the page runs on.

What the browser sends is checked before anything keeps it (``vae.preprocess.clean_strokes``: sizes
first, then each point), and the pad is handed only checked strokes; its JavaScript skips malformed
strokes all the same (``cleanStrokes``) and stops taking ink at Python's limits.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from vae.preprocess import MAX_POINTS, MAX_STROKES, PreprocessError, arc, clean_strokes

PAD_PX = 280  # the pad's side on screen (CSS pixels)
PEN_PX = 18  # the pen on screen: about PEN of a drawing that fills the pad (vae.preprocess.PEN)

HTML = """
<div class="pad">
  <canvas aria-label="Drawing pad: draw one digit" role="img"></canvas>
  <div class="bar">
    <button type="button" data-act="undo">Undo</button>
    <button type="button" data-act="clear">Clear</button>
    <span class="hint">Draw one digit, large, in the square.</span>
  </div>
</div>
"""

CSS = """
.pad { display: flex; flex-direction: column; gap: 0.5rem; font-family: var(--st-font); }
canvas { width: var(--pad-px); height: var(--pad-px); background: #000; border-radius: 0.5rem;
         border: 1px solid var(--st-border-color, #888); touch-action: none; cursor: crosshair; }
.bar { display: flex; gap: 0.5rem; align-items: center; }
button { font: inherit; padding: 0.25rem 0.9rem; border-radius: 0.5rem; cursor: pointer;
         color: var(--st-text-color); background: var(--st-secondary-background-color);
         border: 1px solid var(--st-border-color, #888); }
button:hover { border-color: var(--st-primary-color); color: var(--st-primary-color); }
.hint { color: var(--st-text-color); opacity: 0.7; font-size: 0.85rem; }
"""

JS = """
// The value handed in may be malformed (a stroke without points, string coordinates, not a list):
// drawing it read properties of undefined, and the pad stayed broken until a reload. Only strokes
// of [x, y] pairs of finite numbers are kept (clipped to [0, 1]), at most maxStrokes strokes and
// maxPoints points in all; anything else is skipped.
export function cleanStrokes(strokes, maxStrokes, maxPoints) {
  const out = [];
  let n = 0;
  if (!Array.isArray(strokes)) return out;
  for (const s of strokes) {
    if (out.length >= maxStrokes || n >= maxPoints) break;
    if (!Array.isArray(s)) continue;
    const pts = [];
    for (const p of s) {
      if (n + pts.length >= maxPoints) break;
      if (Array.isArray(p) && p.length === 2 && Number.isFinite(p[0]) && Number.isFinite(p[1])) {
        pts.push([Math.min(Math.max(p[0], 0), 1), Math.min(Math.max(p[1], 0), 1)]);
      }
    }
    if (pts.length) { out.push(pts); n += pts.length; }
  }
  return out;
}

export default function(component) {
  const { parentElement, setStateValue } = component;
  const data = component.data || {};
  const positive = (v, fallback) => (Number.isFinite(v) && v > 0 ? v : fallback);
  const px = positive(data.px, 280), pen = positive(data.pen, 18);
  const maxStrokes = positive(data.max_strokes, 200), maxPoints = positive(data.max_points, 5000);
  const root = parentElement.querySelector('.pad');
  const canvas = parentElement.querySelector('canvas');
  root.style.setProperty('--pad-px', px + 'px');
  const dpr = window.devicePixelRatio || 1;
  if (canvas.width !== Math.round(px * dpr)) {
    canvas.width = Math.round(px * dpr); canvas.height = canvas.width;
  }
  const ctx = canvas.getContext('2d');
  // strokes persist on the element between renders; Python's copy restores them after a remount
  if (!canvas._strokes) { canvas._strokes = cleanStrokes(data.strokes, maxStrokes, maxPoints); }
  const redraw = () => {
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = '#000'; ctx.fillRect(0, 0, px, px);
    ctx.strokeStyle = '#fff'; ctx.fillStyle = '#fff';
    ctx.lineWidth = pen; ctx.lineCap = 'round'; ctx.lineJoin = 'round';
    for (const s of canvas._strokes) {
      if (s.length === 1) {
        ctx.beginPath(); ctx.arc(s[0][0] * px, s[0][1] * px, pen / 2, 0, 2 * Math.PI); ctx.fill();
        continue;
      }
      ctx.beginPath(); ctx.moveTo(s[0][0] * px, s[0][1] * px);
      for (const p of s.slice(1)) ctx.lineTo(p[0] * px, p[1] * px);
      ctx.stroke();
    }
  };
  const send = () => setStateValue(
    'strokes', canvas._strokes.map(s => s.map(p => [+p[0].toFixed(4), +p[1].toFixed(4)])));
  const unit = (v) => Math.min(Math.max(v, 0), 1);
  const at = (e) => { const r = canvas.getBoundingClientRect();
    return [unit((e.clientX - r.left) / r.width), unit((e.clientY - r.top) / r.height)]; };
  let current = null, room = 0;  // room: points the current stroke may still add
  const down = (e) => { e.preventDefault();
    // Python refuses a drawing over its limits: past them the pad stops taking ink instead
    const used = canvas._strokes.reduce((n, s) => n + s.length, 0);
    if (canvas._strokes.length >= maxStrokes || used >= maxPoints) return;
    room = maxPoints - used - 1;
    canvas.setPointerCapture(e.pointerId);
    current = [at(e)]; canvas._strokes.push(current); redraw(); };
  const move = (e) => { if (!current) return; e.preventDefault();
    const p = at(e), q = current[current.length - 1];
    if (room > 0 && Math.hypot(p[0] - q[0], p[1] - q[1]) * px >= 1.5) {
      current.push(p); room -= 1; redraw(); } };
  const up = (e) => { if (!current) return; current = null; send(); };
  const click = (e) => { const act = e.target.getAttribute('data-act'); if (!act) return;
    if (act === 'undo') canvas._strokes.pop(); else canvas._strokes = [];
    redraw(); send(); };
  canvas.addEventListener('pointerdown', down);
  canvas.addEventListener('pointermove', move);
  canvas.addEventListener('pointerup', up);
  canvas.addEventListener('pointercancel', up);
  root.addEventListener('click', click);
  redraw();
  return () => {
    canvas.removeEventListener('pointerdown', down);
    canvas.removeEventListener('pointermove', move);
    canvas.removeEventListener('pointerup', up);
    canvas.removeEventListener('pointercancel', up);
    root.removeEventListener('click', click);
  };
}
"""

# what the pad shows on a first visit: a 3 in one stroke (two arcs), so the page opens with an
# answer
STARTER = [arc(0.48, 0.32, 0.2, 0.15, -2.6, 1.57) + arc(0.48, 0.66, 0.23, 0.18, -1.57, 2.6)]

_PAD = st.components.v2.component("latent_lab_pad", html=HTML, css=CSS, js=JS)


def pad(key: str, strokes: list[Any] | None = None) -> list[Any] | None:
    """Show the pad (a new pad starts with ``strokes`` drawn) and return what the learner drew on
    it, checked and rounded (``vae.preprocess.clean_strokes``): a list of strokes, each a list of
    [x, y] in [0, 1] ([] after *Clear*), or None while this pad has sent nothing (always in
    ``AppTest``, where no browser runs it): the caller then keeps the drawing it passed in.

    A value the pad sent that is refused (too many strokes or points, not strokes at all: only a
    forged message sends one) raises :class:`PreprocessError`. Streamlit's copy of it is deleted
    at once, and the next run shows a new pad (a new key), so the browser drops its copy too."""
    ss = st.session_state
    gen = int(ss.get(f"{key}_gen", 0))
    widget_key = f"{key}_{gen}" if gen else key
    try:
        shown = clean_strokes(strokes) if strokes else []
    except PreprocessError:
        shown = []  # the browser is never handed a drawing it cannot draw
    result = _PAD(
        key=widget_key,
        data={
            "px": PAD_PX,
            "pen": PEN_PX,
            "strokes": shown,
            "max_strokes": MAX_STROKES,
            "max_points": MAX_POINTS,
        },
        default={"strokes": None},
        on_strokes_change=lambda: None,
        height=PAD_PX + 48,
    )
    value = getattr(result, "strokes", None)
    if value is None:
        return None
    try:
        return clean_strokes(value)
    except PreprocessError:
        # otherwise Streamlit keeps the refused value (up to server.maxWidgetStateSize, and several
        # times that as Python objects) for as long as the session lasts
        del ss[widget_key]
        ss[f"{key}_gen"] = gen + 1
        raise
