"""Training jobs, one module per job; none runs in CI or at extraction time.

- `heldout`  choose the names kept away from NER training (models/ner/heldout.json)
- `generate` a generated news-like collection with silver labels from the lexicon
- `ner`      train the spaCy entity recogniser (models/ner/model)
- `segdata`  build the segmentation set (corpus/segmentation/{train,test}.txt)
- `pkuseg`   train the spacy-pkuseg model (models/pkuseg/)
"""
