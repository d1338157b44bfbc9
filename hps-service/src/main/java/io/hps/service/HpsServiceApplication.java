package io.hps.service;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** hps-service: serves embedding lookups over RSocket from the hierarchical parameter server. */
@SpringBootApplication
public class HpsServiceApplication {
    public static void main(String[] args) {
        SpringApplication.run(HpsServiceApplication.class, args);
    }
}
