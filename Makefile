# Entry points for users and CI. Every target can run twice without harm.
#
#   make demo       deps + build, then start etcd, OVS, dockerd (if none runs),
#                   netmaster, netplugin and the driver shim, and run a smoke check
#   make demo-down  stop what `make demo` started and remove its networks
#   make demo-cluster [HOSTS=3] [CLUSTER_FLAGS=--cluster-store]
#                   deps + build, then HOSTS simulated hosts on this machine
#                   (deploy/local-cluster/cluster up; docs/local-cluster.md)
#   make demo-cluster-down  remove that cluster (logs stay)
#   make demo-v2plugin [HOSTS=3]  the same cluster as a Docker swarm running the
#                   managed plugin contiv/v2plugin (up --mode swarm --plugin v2)
#   make test       deps + build + lint, then unit, integration and e2e tests
#   make test-consul  deps + build, then Consul's store tests and every e2e test with
#                   Consul as the cluster store (CONTIV_E2E_STORE=consul)
#   make bench      deps + build, then the benchmarks (figures only)
#   make plugin     deps + build, then the v2plugin bundle and `docker plugin create`
#                   on DOCKER_HOST's engine (deploy/v2plugin/build.sh; PLUGIN_NAME=...)
#   make images     deps + build, then the images of docker-compose.yml on DOCKER_HOST's
#                   engine, built locally (deploy/images/build.sh; no registry needed)
#   make compose-up / compose-down  the docker-compose dev cluster: OVS on the host if
#                   none runs, images, `docker-compose up -d`; down removes what it made
#
# Targets run in the order written (a prerequisite list is a sequence here).
.NOTPARALLEL:
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := build

ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
PNPM ?= pnpm
# Serialises builds with other builds of the same tree (CI jobs, editors).
BUILD_LOCK := flock /tmp/contiv-build.lock
BINS := services/netmaster/lib/main.js services/netplugin/lib/main.js \
        services/driver-shim/lib/main.js services/netctl/lib/main.js

.PHONY: deps build lint demo demo-down demo-cluster demo-cluster-down demo-v2plugin test test-consul bench plugin images compose-up compose-down clean help

help:
	@awk 'NR >= 3 && /^#$$/ { exit } NR >= 3' $(ROOT)/Makefile | sed 's/^# \{0,1\}//'

deps:
	$(ROOT)/deploy/host/install-deps.sh

build:
	@test -d $(ROOT)/node_modules || { echo "node_modules is missing: run 'make deps' first" >&2; exit 1; }
	cd $(ROOT) && $(BUILD_LOCK) $(PNPM) exec tsc -b
	@cd $(ROOT) && node deploy/host/build-info.mjs > build-info.json.tmp && mv -f build-info.json.tmp build-info.json
	@cd $(ROOT) && for b in $(BINS); do if [ -f "$$b" ]; then chmod +x "$$b"; fi; done
	@echo "build: ok ($$(cat $(ROOT)/build-info.json))"

lint:
	cd $(ROOT) && $(PNPM) exec eslint .

demo: deps build
	$(ROOT)/deploy/host/demo-up.sh

demo-down:
	$(ROOT)/deploy/host/demo-down.sh

HOSTS ?= 3
CLUSTER_FLAGS ?=
demo-cluster: deps build
	$(ROOT)/deploy/local-cluster/cluster up --hosts $(HOSTS) $(CLUSTER_FLAGS)

demo-cluster-down:
	$(ROOT)/deploy/local-cluster/cluster down

# The v2plugin guide's `make demo-v2plugin`; `make demo-cluster-down` removes it.
demo-v2plugin: deps build
	$(ROOT)/deploy/local-cluster/cluster up --hosts $(HOSTS) --mode swarm --plugin v2

test: deps build lint
	cd $(ROOT) && node test/run-tests.mjs all

# Files that need dockerd --cluster-store (etcd only here) report a skip.
# Both phases run even if the first fails; the target fails if either did.
test-consul: deps build
	cd $(ROOT) && i=0 && e=0 && { node test/run-tests.mjs integration --only consul || i=$$?; } && \
	  { CONTIV_E2E_STORE=consul node test/run-tests.mjs e2e || e=$$?; } && exit $$(( i > 0 || e > 0 ))

bench: deps build
	cd $(ROOT) && node test/lib/bench/main.js

plugin: deps build
	$(ROOT)/deploy/v2plugin/build.sh

images: deps build
	$(ROOT)/deploy/images/build.sh

compose-up: deps build
	$(ROOT)/deploy/compose/up.sh

compose-down:
	$(ROOT)/deploy/compose/down.sh

clean:
	cd $(ROOT) && $(BUILD_LOCK) $(PNPM) exec tsc -b --clean
	cd $(ROOT) && rm -rf build-info.json packages/*/lib services/*/lib test/lib \
	  packages/*/tsconfig.tsbuildinfo services/*/tsconfig.tsbuildinfo test/tsconfig.tsbuildinfo
