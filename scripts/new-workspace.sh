#!/usr/bin/env bash
# Scaffolds a workspace: scripts/new-workspace.sh packages/name "description" [dep-package ...]
# Writes package.json and tsconfig.json with project references to the named @fleetpivot packages,
# and adds the workspace to the root tsconfig.json references.
set -euo pipefail
dir=$1; desc=$2; shift 2
name="@fleetpivot/$(basename "$dir")"
mkdir -p "$dir/src"
deps=""; refs=""
for d in "$@"; do
  deps="$deps\"@fleetpivot/$d\": \"*\","
  refs="$refs{ \"path\": \"../../packages/$d\" },"
done
deps=${deps%,}; refs=${refs%,}
cat > "$dir/package.json" <<JSON
{
  "name": "$name",
  "version": "0.1.0",
  "private": true,
  "description": "$desc",
  "type": "module",
  "exports": { ".": "./src/index.ts" },
  "scripts": { "build": "tsc -b", "typecheck": "tsc -b", "lint": "eslint src" },
  "dependencies": { $deps }
}
JSON
cat > "$dir/tsconfig.json" <<JSON
{
  "extends": "../../tsconfig.base.json",
  "compilerOptions": { "rootDir": "src", "outDir": "dist", "tsBuildInfoFile": "dist/.tsbuildinfo" },
  "include": ["src"],
  "references": [ $refs ]
}
JSON
node -e '
const fs=require("fs");const p="tsconfig.json";const c=JSON.parse(fs.readFileSync(p,"utf8"));
const path="./"+process.argv[1];if(!c.references.some(r=>r.path===path))c.references.push({path});
c.references.sort((a,b)=>a.path.localeCompare(b.path));fs.writeFileSync(p,JSON.stringify(c,null,2)+"\n");' "$dir"
