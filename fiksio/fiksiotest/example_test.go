package fiksiotest_test

import (
	"context"
	"fmt"

	"github.com/grunnmur/grunnmur/fiksio/fiksiotest"
)

// Start needs the real broker and the fake Maskinporten that issues the
// tokens it accepts; it says what is missing.
func ExampleServer_Start() {
	fk := fiksiotest.New(fiksiotest.Config{BrokerURL: "amqp://guest:guest@127.0.0.1:5672/"})
	defer fk.Close()
	fmt.Println(fk.Start(context.Background()))
	fmt.Println("deliveries before the dead-letter queue:", fiksiotest.MaxDeliveries)
	// Output:
	// fiksiotest: Config.Maskinporten is required
	// deliveries before the dead-letter queue: 3
}
