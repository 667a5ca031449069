# Convenience wrappers around scripts/quickstart.sh (which works without make).
.PHONY: run test build clean
run:
	scripts/quickstart.sh run
test:
	scripts/quickstart.sh test
build:
	cmake -S . -B build -DCMAKE_BUILD_TYPE=Release && cmake --build build -j2
clean:
	rm -rf build build-asan
