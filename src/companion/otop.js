// otop companion plugin (format 1). Installed by `otop plugin install`; do not edit: otop
// overwrites this file on upgrade and removes it on `otop plugin uninstall`.
//
// It tells otop what the database cannot: which session this opencode process shows, and the
// live state opencode keeps in memory only (pending permissions and questions, retries). It
// writes one small JSON file per process, `${XDG_DATA_HOME:-~/.local/share}/opencode/otop/<pid>.json`,
// atomically (temporary file, then rename), at most a few times a second, and removes it when
// opencode shuts down. It never blocks opencode: every write is deferred and every error ignored.
//
// opencode 1.18's TUI runs its server, and so its plugins, in a worker thread that is
// terminated on exit: `process.on("exit")` never fires there, the `dispose` hook does.
import {
  appendFileSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeFileSync,
} from "node:fs"
import { homedir } from "node:os"
import { join } from "node:path"

const FORMAT = 1
const WRITE_EVERY_MS = 250

// The process's start time, Unix ms, as otop reads it: from the kernel on Linux (start ticks
// after boot, at 100 ticks a second, plus the boot time), so it tells this process from a later
// one with the same pid. `process.uptime()` counts from the runtime's start, seconds after the
// process's on a loaded machine; it is the fallback elsewhere.
const startedAt = () => {
  try {
    const stat = readFileSync("/proc/self/stat", "utf8")
    const ticks = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19])
    const boot = Number(/^btime (\d+)$/m.exec(readFileSync("/proc/stat", "utf8"))?.[1])
    if (Number.isFinite(ticks) && Number.isFinite(boot) && boot > 0) return boot * 1000 + ticks * 10
  } catch {}
  return Math.round(Date.now() - process.uptime() * 1000)
}

// Files of processes that are gone (a crash, a kill): removed so they do not pile up. otop
// ignores them anyway.
const sweep = (dir) => {
  try {
    for (const name of readdirSync(dir)) {
      const pid = /^(\d+)\.json$/.exec(name)?.[1]
      if (!pid || Number(pid) === process.pid) continue
      try {
        process.kill(Number(pid), 0)
      } catch (e) {
        if (e?.code === "ESRCH") unlinkSync(join(dir, name))
      }
    }
  } catch {}
}

// The opencode version, from the server's health endpoint. `client.global.health` is missing
// from the client 1.18 hands to plugins; its raw client has the route.
const version = async (client) => {
  const health = client?.global?.health
    ? await client.global.health()
    : await client?._client?.get?.({ url: "/global/health" })
  return health?.data?.version ?? null
}

export const OtopCompanion = async ({ client }) => {
  const base = process.env.XDG_DATA_HOME || join(homedir(), ".local", "share")
  const dir = join(base, "opencode", "otop")
  const file = join(dir, `${process.pid}.json`)
  const state = {
    format: FORMAT,
    pid: process.pid,
    started_at: startedAt(),
    opencode_version: null,
    session_id: null,
    written_at: null,
    sessions: {},
  }
  // Child (subagent) sessions: their events must never make them the process's session.
  const parentOf = new Map()
  // Pending requests per session, by request id, so a reply clears the right one.
  const permissions = new Map()
  const questions = new Map()
  let timer = null
  let closed = false
  // Debugging and the end-to-end suite: `OTOP_PLUGIN_TRACE=<file>` appends the type of every
  // event received, one a line. Off unless set.
  const trace = process.env.OTOP_PLUGIN_TRACE

  const write = () => {
    timer = null
    if (closed) return
    try {
      state.written_at = Date.now()
      mkdirSync(dir, { recursive: true })
      const tmp = `${file}.${process.pid}.tmp`
      writeFileSync(tmp, JSON.stringify(state))
      renameSync(tmp, file)
    } catch {
      // otop is optional: never disturb opencode.
    }
  }
  const schedule = () => {
    if (timer === null && !closed) timer = setTimeout(write, WRITE_EVERY_MS)
  }
  const remove = () => {
    closed = true
    process.off("exit", remove)
    if (timer !== null) clearTimeout(timer)
    timer = null
    try {
      unlinkSync(file)
    } catch {}
  }
  const session = (id) => {
    state.sessions[id] ??= { status: null }
    state.sessions[id].updated_at = Date.now()
    return state.sessions[id]
  }
  const isChild = (id) => parentOf.has(id) && parentOf.get(id)
  const current = (id) => {
    if (id && !isChild(id)) state.session_id = id
  }
  const first = (map, sid) => {
    for (const [, v] of map.get(sid) ?? new Map()) return v
    return undefined
  }
  const remember = (map, sid, rid, value) => {
    if (!map.has(sid)) map.set(sid, new Map())
    map.get(sid).set(rid, value)
  }
  const forget = (map, sid, rid) => {
    map.get(sid)?.delete(rid)
  }

  // Where the plugin runs in the main thread (older versions, `opencode run`), exit also ends it.
  process.on("exit", remove)
  sweep(dir)
  version(client)
    .then((v) => {
      state.opencode_version = v
      schedule()
    })
    .catch(() => {})
  schedule()

  return {
    dispose: remove,
    event: async ({ event }) => {
      if (trace) {
        try {
          appendFileSync(trace, `${event?.type}\n`)
        } catch {}
      }
      const p = event?.properties ?? {}
      switch (event?.type) {
        case "session.created":
        case "session.updated": {
          const info = p.info ?? {}
          if (info.id) parentOf.set(info.id, info.parentID ?? null)
          if (event.type === "session.created") current(info.id)
          break
        }
        case "session.status": {
          const s = session(p.sessionID)
          s.status = p.status?.type ?? null
          if (s.status === "retry") {
            s.retry = { attempt: p.status.attempt, message: p.status.message, next: p.status.next }
          } else {
            delete s.retry
          }
          if (s.status === "busy") current(p.sessionID)
          break
        }
        case "session.idle":
          session(p.sessionID).status = "idle"
          break
        case "session.error": {
          if (!p.sessionID) return
          const e = p.error ?? {}
          session(p.sessionID).error = e.data?.message ?? e.message ?? e.name ?? "error"
          break
        }
        case "message.updated": {
          const info = p.info ?? {}
          if (info.role === "user") {
            current(info.sessionID)
            delete session(info.sessionID).error
          }
          break
        }
        case "permission.asked": {
          const patterns = Array.isArray(p.patterns) ? p.patterns.join(" ") : ""
          remember(permissions, p.sessionID, p.id, { tool: p.permission ?? "", pattern: patterns })
          session(p.sessionID).permission = first(permissions, p.sessionID)
          break
        }
        case "permission.replied": {
          forget(permissions, p.sessionID, p.requestID ?? p.permissionID)
          const s = session(p.sessionID)
          s.permission = first(permissions, p.sessionID)
          if (!s.permission) delete s.permission
          break
        }
        case "question.asked": {
          const header = p.questions?.[0]?.header ?? p.questions?.[0]?.question ?? ""
          remember(questions, p.sessionID, p.id, { header })
          session(p.sessionID).question = first(questions, p.sessionID)
          break
        }
        case "question.replied":
        case "question.rejected": {
          forget(questions, p.sessionID, p.requestID)
          const s = session(p.sessionID)
          s.question = first(questions, p.sessionID)
          if (!s.question) delete s.question
          break
        }
        case "todo.updated":
          session(p.sessionID)
          break
        default:
          return
      }
      schedule()
    },
  }
}
