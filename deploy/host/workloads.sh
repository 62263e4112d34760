# What users made on Contiv, removed before the services go away, for
# `make demo-down` and `make compose-down` (sourced, not run; the caller
# defines log and NETMASTER).
#
# While the plugin answers, Docker has it release a removed container's veth,
# OVS port and address; once the services are gone nothing would, and a Docker
# network of the plugin could no longer be removed.

plugin_networks() { docker network ls --filter driver=netplugin --format '{{.Name}}' 2>/dev/null; }

# The containers on the plugin's networks (the plugin must answer).
remove_plugin_containers() {
  local net c
  for net in $(plugin_networks); do
    for c in $(docker network inspect "$net" --format '{{range .Containers}}{{.Name}} {{end}}' 2>/dev/null); do
      if docker rm -f "$c" >/dev/null 2>&1; then log "removed container $c (on $net)"; fi
    done
  done
}

# Contiv's groups, then its networks, through netmaster (keys are
# tenant:name). In legacy mode netplugin then removes their Docker networks;
# networks made from Docker are refused here (409) and go through Docker, which
# releases them in netmaster (remove_plugin_networks).
remove_contiv_networks() {
  local collection key
  for collection in endpointGroups networks; do
    for key in $(curl -fsS "$NETMASTER/api/v1/$collection/" | node -e '
      let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
        for (const o of JSON.parse(s || "[]")) if (o && o.key) console.log(o.key);
      });'); do
      if curl -fsS -X DELETE "$NETMASTER/api/v1/$collection/$key/" >/dev/null 2>&1; then log "removed Contiv ${collection%s} $key"; fi
    done
  done
}

# The plugin's Docker networks left (the plugin must answer); netplugin may
# remove one between the listing and the rm, so a failed rm is no error. Waits
# up to 20 s for the list to empty, then sweeps once more.
remove_plugin_networks() {
  local net n=0
  sweep_plugin_networks() { for net in $(plugin_networks); do if docker network rm "$net" >/dev/null 2>&1; then log "removed Docker network $net"; fi; done; }
  sweep_plugin_networks
  while [ -n "$(plugin_networks)" ] && [ "$n" -lt 100 ]; do sleep 0.2; n=$((n + 1)); done
  [ -z "$(plugin_networks)" ] || sweep_plugin_networks
}
