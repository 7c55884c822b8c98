// Package fiksarkivtest is a fake archive system (as Public 360 behaves
// through KS Fiks Arkiv V1) on the Fiks IO fake and a real RabbitMQ, and
// the conformance suite of fiksarkiv.Store.
package fiksarkivtest
