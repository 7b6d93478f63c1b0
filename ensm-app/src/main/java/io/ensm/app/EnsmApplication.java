package io.ensm.app;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The ensm service. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class EnsmApplication {
    public static void main(String[] args) {
        SpringApplication.run(EnsmApplication.class, args);
    }
}
