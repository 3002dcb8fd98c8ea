package io.protogate.server;

import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import io.grpc.protobuf.ProtoMethodDescriptorSupplier;
import io.grpc.protobuf.ProtoServiceDescriptorSupplier;

/**
 * The schema descriptors that grpc-services' reflection service looks for: a service is only
 * listed and described when its {@code io.grpc.ServiceDescriptor} carries one of these.
 */
final class SchemaSuppliers {
  private SchemaSuppliers() {}

  record Service(ServiceDescriptor service) implements ProtoServiceDescriptorSupplier {
    @Override
    public FileDescriptor getFileDescriptor() {
      return service.getFile();
    }

    @Override
    public ServiceDescriptor getServiceDescriptor() {
      return service;
    }
  }

  record Method(MethodDescriptor method) implements ProtoMethodDescriptorSupplier {
    @Override
    public FileDescriptor getFileDescriptor() {
      return method.getFile();
    }

    @Override
    public ServiceDescriptor getServiceDescriptor() {
      return method.getService();
    }

    @Override
    public MethodDescriptor getMethodDescriptor() {
      return method;
    }
  }
}
