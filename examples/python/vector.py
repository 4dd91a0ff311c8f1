"""Semantic search over embeddings with ferrule.vector (python examples/python/vector.py).

A small retrieval job: 20,000 documents embedded as 384-d float32 vectors (synthetic here: 40
topics, each document its topic's direction plus noise), and queries to answer with the 10
nearest documents by cosine distance. ``topk`` does it in one fused pass (no 20,000-wide
distance array to sort), ``cdist`` finds near-duplicate documents exactly, and the 1:1
functions score single pairs. The example checks every answer against NumPy and exits non-zero
on a mismatch.
"""

import sys

import numpy as np

from ferrule import vector

rng = np.random.default_rng(7)
topics = rng.standard_normal((40, 384)).astype(np.float32)
labels = rng.integers(0, 40, size=20_000)
docs = (topics[labels] + 0.8 * rng.standard_normal((20_000, 384))).astype(np.float32)
# Five exact re-posts and five lightly edited copies, for the duplicate finder.
docs[19_990:] = docs[:10] + np.float32(1e-4) * rng.standard_normal((10, 384)).astype(np.float32)
docs[19_990:19_995] = docs[:5]

failures: list[str] = []

# One query: the 10 nearest documents, closest first.
query = (topics[3] + 0.8 * rng.standard_normal(384)).astype(np.float32)
indices, distances = vector.topk(query, docs, 10, metric="cosine")
print("query on topic 3 -> documents", indices.tolist())
print("  cosine distances", [round(float(d), 3) for d in distances])
if not all(labels[i] == 3 for i in indices):
    failures.append(f"topk returned documents of other topics: {labels[indices].tolist()}")

# The same answer from NumPy: normalise, one matrix-vector product, a full argsort.
unit = docs / np.linalg.norm(docs, axis=1, keepdims=True)
numpy_distances = 1 - unit @ (query / np.linalg.norm(query))
# (Compared by value: float32 rounding may order two nearly equal distances either way.)
if not np.allclose(numpy_distances[indices], np.sort(numpy_distances)[:10], atol=1e-5):
    failures.append("topk and NumPy's argsort disagree")

# A batch of 64 queries at once: one (64, 10) answer, all cores, GIL released.
queries = (topics[labels[:64]] + 0.8 * rng.standard_normal((64, 384))).astype(np.float32)
batch_indices, _ = vector.topk(queries, docs, 10, metric="cosine")
hit_rate = float(np.mean(labels[batch_indices] == labels[:64, None]))
print(f"64 queries: {hit_rate:.1%} of the top-10 share the query's topic")
if hit_rate < 0.99:
    failures.append(f"batch topk hit rate {hit_rate:.3f}")

# Near-duplicates: exact squared distances between the newest 100 documents and the first 1000.
# The expanded |a|^2 + |b|^2 - 2ab form NumPy users write loses these tiny distances in float32.
d2 = vector.cdist(docs[-100:], docs[:1000], "sqeuclidean")
newest, original = np.nonzero(d2 < 1e-3)
pairs = sorted(zip((newest + 19_900).tolist(), original.tolist()))
print(f"near-duplicate pairs (new, original): {pairs}")
if pairs != [(19_990 + k, k) for k in range(10)]:
    failures.append(f"duplicates found: {pairs}")
exact_copies = int(np.count_nonzero(d2 == 0))
print(f"  {exact_copies} of them exact copies (distance 0.0)")
if exact_copies != 5:
    failures.append(f"{exact_copies} exact copies, expected 5")

# Single pairs return Python floats.
similarity = vector.cosine_similarity(docs[5], docs[19_995])
print(f"cosine similarity of document 5 and its edited copy: {similarity:.6f}")
if not 0.999 < similarity <= 1.0 + 1e-6:
    failures.append(f"similarity {similarity}")

if failures:
    print("FAILED:", *failures, sep="\n  ")
    sys.exit(1)
print("all checks passed")
