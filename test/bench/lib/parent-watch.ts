// Preloaded (node --import) into every server a benchmark starts: when the benchmark process goes
// away — even killed with SIGKILL, so its own cleanup never ran — the IPC channel closes and this
// server shuts itself down (SIGTERM, so its graceful shutdown runs) instead of living on.
if (process.send !== undefined) {
  process.channel?.unref();
  process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
}
