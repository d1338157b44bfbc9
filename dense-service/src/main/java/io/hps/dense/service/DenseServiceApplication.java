package io.hps.dense.service;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** dense-service: runs the DLRM dense network and serves score and infer over RSocket. */
@SpringBootApplication
public class DenseServiceApplication {
    public static void main(String[] args) {
        SpringApplication.run(DenseServiceApplication.class, args);
    }
}
