package booking

// Opening hours are read in Europe/Oslo; embed the zone database so that a
// minimal container without /usr/share/zoneinfo still has it.
import _ "time/tzdata"
