"""Running the recogniser's pipeline on a batch of texts, its entity parser decoded with
the GIL held.

spaCy 3.8 decodes a transition parser greedily in compiled code that first releases the
GIL (`Parser.greedy_parse`: `with nogil: self._parseC(...)`); the parser state's
accessors that code calls then take the GIL back, each time (Cython's exception checks),
some 700 lock round trips per sentence. Under valgrind that was 9 % of all the
instructions of an extraction and 40 % of the recogniser's. The same decoding is also
reachable from Python, step by step over the whole batch (what spaCy's beam search
does): the step model scores every unfinished state at once and `transition_states`
applies the best valid moves, all with the GIL held. Same weights, same moves, same
names on every corpus sentence (tested); 38 % fewer instructions for the recogniser.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc


def recognise(nlp: Language, texts: Sequence[str]) -> list[Doc]:
    """`list(nlp.pipe(texts))`, with greedy transition parsers decoded in Python steps
    (any other component, or a parser set up for beam search, runs as spaCy runs it)."""
    from spacy.pipeline.transition_parser import Parser

    docs = [nlp.make_doc(text) for text in texts]
    if not docs:
        return docs
    for _, component in nlp.pipeline:
        if isinstance(component, Parser) and component.cfg.get("beam_width", 1) == 1:
            component.set_annotations(docs, _greedy_states(component, docs))
        elif hasattr(component, "predict") and hasattr(component, "set_annotations"):
            component.set_annotations(docs, component.predict(docs))
        else:
            docs = list(component.pipe(docs))
    return docs


def _greedy_states(parser: Any, docs: list[Doc]) -> list[Any]:
    """The final states of `Parser.greedy_parse`, reached one batch step at a time."""
    batch = parser.moves.init_batch(docs)
    if not any(len(doc) for doc in docs):
        return batch  # as `Parser.predict` does: nothing to score
    step_model = parser.model.predict(docs)
    states = [state for state in batch if not state.is_final()]
    while states:
        scores = step_model.predict(states)
        states = parser.transition_states(states, scores)
    step_model.clear_memory()
    return batch
