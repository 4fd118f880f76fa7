package models

// DataVersionTables are the tables migration 9 puts version triggers on
// (compiled into tests only).
var DataVersionTables = versionTriggerTables(9)
