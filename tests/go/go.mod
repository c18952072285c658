module cprof.test/burn

go 1.19
