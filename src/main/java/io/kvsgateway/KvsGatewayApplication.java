package io.kvsgateway;

import java.time.Clock;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.Bean;

/** Entry point of kvs-gateway: the viewer, camera and ops gateway and, by default, the embedded KVS. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class KvsGatewayApplication {

	public static void main(String[] args) {
		SpringApplication.run(KvsGatewayApplication.class, args);
	}

	/** One clock for every module, so that tests can move time instead of sleeping. */
	@Bean
	Clock clock() {
		return Clock.systemUTC();
	}

}
