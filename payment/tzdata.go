package payment

// Due dates are dates in Europe/Oslo; embed the zone database so that they
// are right on a machine without one.
import _ "time/tzdata"
