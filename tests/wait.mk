# tests/wait.mk: a Makefile in which one recipe waits for a file that
# another recipe makes (tests/46-byname.bats runs it with make -j2, with
# watchx first on PATH).  --wait-exists is race-free whichever recipe
# runs first: it exits 0 at once if the file is there already.
DEADLINE = 10

all: wait produce

wait:
	watchx --wait-exists -q --deadline $(DEADLINE) out/report.txt

produce:
	mkdir -p out && echo done >out/report.txt.tmp && mv out/report.txt.tmp out/report.txt
