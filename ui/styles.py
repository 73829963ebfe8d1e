"""CSS for the web chat (passed to `launch(css=...)`, as Gradio 6 wants). Mobile-first: nothing may
force horizontal scrolling at phone width (long URLs and drug names wrap)."""

from __future__ import annotations

APP_CSS = """
#mc-header h1 { margin: 0 0 .2rem 0; font-size: 1.6rem; }
#mc-header p { margin: 0; color: var(--body-text-color-subdued); }
#mc-index-status { background: #eef4ff; border-left: 4px solid #3b6fd8; border-radius: 4px;
  padding: .45rem .75rem; font-size: .92rem; }
#mc-index-status p { margin: 0; }
.mc-conversation, .mc-answer, .mc-turn { max-width: 100%; overflow-wrap: anywhere; }
.mc-turn { margin: 0 0 1.4rem 0; }
.mc-question { font-weight: 600; font-size: 1.05rem; margin: .4rem 0 .6rem 0; }
.mc-you { display: inline-block; font-size: .75rem; font-weight: 500; text-transform: uppercase;
  letter-spacing: .04em; color: var(--body-text-color-subdued); margin-right: .4rem; }
.mc-answer { border: 1px solid var(--border-color-primary); border-radius: 10px; padding: .9rem 1rem;
  background: var(--background-fill-primary); line-height: 1.5; }
.mc-review { display: flex; flex-wrap: wrap; gap: .6rem; align-items: center; font-size: .85rem; }
.mc-status { border-radius: 999px; padding: .1rem .6rem; font-weight: 600; border: 1px solid; }
.mc-status-submitted { color: #8a5a00; background: #fff6e0; border-color: #f0c36d; }
.mc-status-review { color: #1d4f91; background: #e8f0fc; border-color: #9dbbe8; }
.mc-status-approved { color: #1b6b2f; background: #e6f5ea; border-color: #8fcf9f; }
.mc-status-rejected { color: #8b1a1a; background: #fdeaea; border-color: #e8a0a0; }
.mc-updated { color: var(--body-text-color-subdued); }
.mc-approval { color: #1b6b2f; font-weight: 600; }
.mc-caution { margin: .5rem 0; padding: .4rem .7rem; font-size: .85rem; background: #fff8e6;
  border-left: 4px solid #e0a800; color: #5c4400; border-radius: 4px; }
.mc-notice { margin: 0 0 .7rem 0; padding: .7rem .9rem; border-radius: 8px; font-weight: 600; }
.mc-notice-emergency { background: #b00020; color: #fff; border: 2px solid #7a0016; font-size: 1.05rem; }
.mc-notice-abstain { background: #eef1f5; color: #1f2a37; border: 2px dashed #6b7a8f; }
.mc-notice-info { background: #e8f0fc; color: #1d3b66; border: 1px solid #9dbbe8; }
.mc-notice-error { background: #fdeaea; color: #6b1111; border: 2px solid #d35c5c; font-weight: 500; }
.mc-cmd { background: #1f2a37; color: #f5f7fa;
  padding: .5rem .8rem; border-radius: 6px; white-space: pre-wrap; }
.mc-closest { font-size: .9rem; margin-bottom: .6rem; }
.mc-rewritten { margin: .5rem 0; font-size: .9rem;
  color: var(--body-text-color-subdued); font-style: italic; }
.mc-section { margin-top: .9rem; padding-left: .7rem; border-left: 4px solid #999; }
.mc-tier-guideline { border-left-color: #2e7d32; }
.mc-tier-drug_label { border-left-color: #1565c0; }
.mc-tier-research { border-left-color: #6a1b9a; }
.mc-tier-patient_info { border-left-color: #00838f; }
.mc-section-heading { margin: 0 0 .3rem 0; font-size: 1.1rem; }
.mc-group { margin: .5rem 0 .1rem 0; font-size: .92rem; }
.mc-lead { margin: 0 0 .3rem 0; }
.mc-bullets { margin: 0 0 .2rem 1.1rem; padding: 0; }
.mc-bullets li { margin: .15rem 0; }
.mc-cites { font-size: .72rem; margin-left: .1rem; }
.mc-cite { text-decoration: none; font-weight: 600; padding: 0 .1rem; }
.mc-cite-missing { color: #b00020; }
.mc-flag { font-size: .7rem; color: #8a5a00;
  border: 1px solid #f0c36d; border-radius: 4px; padding: 0 .25rem; }
.mc-references { margin-top: 1rem; }
.mc-references h3 { font-size: 1rem; margin: 0 0 .3rem 0; }
.mc-references ol { list-style: none; margin: 0; padding: 0; }
.mc-ref { margin: .35rem 0; padding: .25rem .35rem; border-radius: 6px; font-size: .9rem; }
.mc-ref:target { background: #fff3b0; outline: 2px solid #e0a800; }
.mc-ref-n { font-weight: 700; }
.mc-ref-title { font-weight: 600; }
.mc-ref-meta { color: var(--body-text-color-subdued); }
.mc-link, .mc-link-text { font-size: .8rem; word-break: break-all; }
.mc-badge { display: inline-block; font-size: .72rem; font-weight: 600; border-radius: 4px;
  padding: 0 .35rem; margin-right: .25rem; color: #fff; vertical-align: 1px; }
.mc-badge-guideline { background: #2e7d32; }
.mc-badge-drug_label { background: #1565c0; }
.mc-badge-research { background: #6a1b9a; }
.mc-badge-patient_info { background: #00838f; }
.mc-badge-level, .mc-badge-design, .mc-badge-grade { background: #eceff3;
  color: #273444; border: 1px solid #c5ccd6; }
.mc-evidence { margin-top: .8rem; font-size: .88rem; }
.mc-evidence summary { cursor: pointer; font-weight: 600; }
.mc-passage { margin: .5rem 0; padding: .4rem .6rem;
  background: var(--background-fill-secondary); border-radius: 6px; }
.mc-passage-head { font-weight: 600; margin-bottom: .2rem; }
.mc-passage-text { margin: 0; white-space: pre-wrap; }
.mc-passage mark { background: #fff0a0; color: inherit; }
.mc-asof { margin-top: .7rem; font-size: .85rem; color: var(--body-text-color-subdued); }
.mc-disclaimer { margin-top: .7rem; padding-top: .5rem; border-top: 1px solid var(--border-color-primary);
  font-size: .82rem; color: var(--body-text-color-subdued); }
.mc-progress { font-style: italic; color: var(--body-text-color-subdued); margin-top: .5rem; }
.mc-empty { color: var(--body-text-color-subdued); padding: .8rem 0; }
@media (max-width: 600px) {
  .mc-answer { padding: .7rem .6rem; }
  .mc-bullets { margin-left: .9rem; }
}
"""
