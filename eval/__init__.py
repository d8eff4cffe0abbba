"""Known-answer eval: case files -> Answerer and a naive llama-index baseline -> scores.

`python -m eval` scores both side by side; `python -m eval.bench` measures how build and
question cost grow on synthesised corpora (eval/synth.py). eval/ only calls the one Answerer.
"""
