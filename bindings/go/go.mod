module cfp

go 1.19
