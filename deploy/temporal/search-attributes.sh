#!/bin/sh
# Idempotent: an attribute that already exists is left as it is.
set -u
for spec in HubJourney:Keyword HubStage:Keyword HubSchool:Keyword HubWaitingOn:Keyword HubStuckSince:Datetime; do
  name=${spec%%:*}
  type=${spec##*:}
  temporal operator search-attribute create --namespace default --name "$name" --type "$type" 2>&1 \
    | grep -v 'already exists' || true
done
