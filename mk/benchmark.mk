# Benchmarks of the room detector on the shared datasets (never copied into the repo).
# Figures and the history of what helped: benchmarks/README.md.
DATASETS ?= ../shared/datasets
BENCH_OUT ?= $(OUT)/benchmark
BENCH := $(VENV)/bin/location-detector benchmark

.PHONY: benchmark-r3d
benchmark-r3d: venv ## score the detector on the R3D plans (PQ, RQ, SQ, ms per plan)
	$(BENCH) $(DATASETS)/r3d --format r3d --save $(BENCH_OUT)/r3d

.PHONY: benchmark-r3d-scaled
benchmark-r3d-scaled: venv ## the R3D plans enlarged 2x and 4x (scale invariance)
	$(BENCH) $(DATASETS)/r3d --format r3d --scale 2
	$(BENCH) $(DATASETS)/r3d --format r3d --scale 4

.PHONY: benchmark-r3d-rotated
benchmark-r3d-rotated: venv ## the R3D plans turned 90 degrees (rotation invariance)
	$(BENCH) $(DATASETS)/r3d --format r3d --rotate 90

.PHONY: benchmark-ipa
benchmark-ipa: venv ## score on the IPA maps: plain, with furniture, with furniture and bins
	$(BENCH) $(DATASETS)/ipa_maps --format ipa --save $(BENCH_OUT)/ipa

.PHONY: benchmark-text
benchmark-text: venv ## the text stage: R3D label read rate, drawn plans' scale/area/name errors, time on/off
	$(BENCH) $(DATASETS)/r3d --text --drawn 20 --ocr-baseline 10

.PHONY: benchmark-text-off
benchmark-text-off: venv ## time per r3d plan with text off against the detector before issue 15 (ratio, one run)
	$(PY) benchmarks/speed_vs_commit.py --ref ebc724d

.PHONY: benchmark-r3d-types
benchmark-r3d-types: venv ## drawn room-type accuracy on R3D (5-fold by plan; also x2, rot90)
	$(PY) -m detector_dev.room_types $(DATASETS)/r3d --judge 2,0 --judge 1,90

.PHONY: room-types-model
room-types-model: venv ## refit the drawn room-type forest on R3D: model/detector/room_types.json
	$(PY) -m detector_dev.room_types $(DATASETS)/r3d --write model/detector/room_types.json

.PHONY: benchmark
benchmark: benchmark-r3d benchmark-r3d-scaled benchmark-r3d-rotated benchmark-ipa benchmark-large benchmark-r3d-types benchmark-text benchmark-text-off ## every detector benchmark
