module cprof.test/views

go 1.19
